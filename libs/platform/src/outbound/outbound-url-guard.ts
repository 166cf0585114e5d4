import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import { nonPublicRange } from './public-address';
import { RuleViolationError } from '@fleetgate/domain';

const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata.goog', 'metadata']);

type Resolve = (hostname: string) => Promise<string[]>;

const resolveAll: Resolve = async (hostname) => (await lookup(hostname, { all: true })).map((entry) => entry.address);

/**
 * Vendor base URLs and event-subscription URLs are given by users and then called by the gateway and
 * the worker; without this check they could make Fleetgate call its own host, private networks or a
 * cloud metadata service (server-side request forgery). Every address the host name resolves to must
 * be public unicast (see nonPublicRange). This is the check when a URL is saved, for a 422 naming the
 * field; OutboundHttp checks again at each connection. ALLOW_INTERNAL_URLS lifts both, for simulators
 * on the same machine.
 */
export class OutboundUrlGuard {
  constructor(
    private readonly allowInternal: boolean,
    private readonly resolve: Resolve = resolveAll,
  ) {}

  /** Why the URL may not be called, or undefined when it may. */
  async problemWith(url: string): Promise<string | undefined> {
    if (this.allowInternal) return undefined;
    let hostname: string;
    try {
      hostname = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
    } catch {
      return 'must be a URL';
    }
    if (METADATA_HOSTS.has(hostname) || hostname === 'localhost' || hostname.endsWith('.localhost')) {
      return `must not point at ${hostname}`;
    }
    let addresses: string[];
    try {
      addresses = ipaddr.isValid(hostname) ? [hostname] : await this.resolve(hostname);
    } catch {
      return `host ${hostname} does not resolve`;
    }
    for (const address of addresses) {
      const range = nonPublicRange(address);
      if (range) return `must not point at a ${range} address (${address})`;
    }
    return undefined;
  }

  /** Throws a 422 naming the field when the URL may not be called. */
  async check(url: string | undefined, field: string): Promise<void> {
    if (url === undefined) return;
    const problem = await this.problemWith(url);
    if (problem) throw new RuleViolationError(`The ${field} is not allowed`, [{ field, problem }]);
  }
}
