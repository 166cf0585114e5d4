import { lookup as systemLookup } from 'node:dns/promises';
import type { LookupAddress, LookupOptions } from 'node:dns';
import ipaddr from 'ipaddr.js';
import { Agent, fetch as undiciFetch } from 'undici';
import { nonPublicRange } from './public-address';

/** Why an outbound request was stopped by Fleetgate itself (never the remote side's answer). */
export type OutboundRefusal = 'refused_address' | 'body_too_large';

export class OutboundRequestError extends Error {
  constructor(
    readonly kind: OutboundRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'OutboundRequestError';
  }
}

export type ResolveHost = (hostname: string) => Promise<LookupAddress[]>;

const resolveWithSystem: ResolveHost = (hostname) => systemLookup(hostname, { all: true });

export interface OutboundHttpOptions {
  /** ALLOW_INTERNAL_URLS: lifts the address check only; redirects stay unfollowed and bodies capped. */
  allowInternal: boolean;
  /** Largest response body `readText` reads. */
  maxResponseBytes: number;
  /** How host names are resolved at connect time (the system resolver unless a test gives its own). */
  resolve?: ResolveHost;
}

type NetLookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * Every HTTP call Fleetgate makes to a URL a user gave (vendor base URLs, event subscriptions) goes
 * through this client. The address is checked when the connection is made, by a lookup hook in the
 * HTTP agent, so a host name that resolved to a public address when the URL was saved and to an
 * internal one now (DNS rebinding) is refused before anything is sent; an address written as an IP,
 * which is never looked up, is checked before the request. Redirects are never followed (a 3xx comes
 * back as it is, for the caller to refuse), and `readText` stops reading past `maxResponseBytes`.
 */
export class OutboundHttp {
  private readonly agent: Agent;

  constructor(private readonly options: OutboundHttpOptions) {
    const resolve = options.resolve ?? resolveWithSystem;
    const lookup = (hostname: string, lookupOptions: LookupOptions, callback: NetLookupCallback) => {
      resolve(hostname).then(
        (addresses) => {
          const refused = options.allowInternal ? undefined : this.refusalOf(hostname, addresses);
          if (refused) return callback(refused, []);
          const wanted = addresses.filter((entry) => !lookupOptions.family || entry.family === lookupOptions.family);
          if (wanted.length === 0) {
            return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
          }
          if (lookupOptions.all) callback(null, wanted);
          else callback(null, wanted[0].address, wanted[0].family);
        },
        (error: NodeJS.ErrnoException) => callback(error, []),
      );
    };
    this.agent = new Agent({ connect: { lookup } });
  }

  /** fetch() through the guarded agent; `redirect` is always manual. Takes a URL, not a Request. */
  readonly fetch: typeof fetch = async (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    if (!this.options.allowInternal && ipaddr.isValid(literal)) {
      const refused = this.refusalOf(literal, [{ address: literal, family: literal.includes(':') ? 6 : 4 }]);
      if (refused) throw refused;
    }
    try {
      const response = await undiciFetch(url, {
        ...(init as Parameters<typeof undiciFetch>[1]),
        redirect: 'manual',
        dispatcher: this.agent,
      });
      return response as unknown as Response;
    } catch (error) {
      // undici reports a failed connect as "fetch failed" with the lookup's error as its cause.
      const cause = (error as { cause?: unknown }).cause;
      if (cause instanceof OutboundRequestError) throw cause;
      throw error;
    }
  };

  /** The body as text, refused once it passes maxResponseBytes (the rest is not read). */
  async readText(response: Response): Promise<string> {
    return readCappedText(response, this.options.maxResponseBytes);
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private refusalOf(hostname: string, addresses: LookupAddress[]): OutboundRequestError | undefined {
    for (const { address } of addresses) {
      const range = nonPublicRange(address);
      if (range) {
        return new OutboundRequestError(
          'refused_address',
          `${hostname} resolves to a ${range} (${address}) address; only public addresses are called`,
        );
      }
    }
    return undefined;
  }
}

/** Reads a response body as UTF-8 text, refusing it once it passes `maxBytes` (the rest is not read). */
export async function readCappedText(response: Response, maxBytes: number): Promise<string> {
  const tooLarge = () =>
    new OutboundRequestError('body_too_large', `the answer is larger than the ${maxBytes} bytes Fleetgate reads`);
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
