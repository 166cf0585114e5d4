/** A host and port of a cluster node or a sentinel. */
export interface RedisNode {
  host: string;
  port: number;
}

/**
 * What REDIS_URL names:
 * - `redis://` or `rediss://` (TLS): one server, the URL as ioredis reads it;
 * - `redis+cluster://[user:password@]host:port,host:port,...`: a Redis Cluster, from any of its nodes
 *   (the others are discovered), the credentials and TLS (`rediss+cluster://`) for every node;
 * - `redis+sentinel://[user:password@]host:port,host:port,.../<master name>[?db=N]`: the master that
 *   these sentinels watch, the credentials and TLS (`rediss+sentinel://`) for that master.
 */
export type RedisTarget =
  | { kind: 'single'; url: string }
  | { kind: 'cluster'; nodes: RedisNode[]; username?: string; password?: string; tls: boolean }
  | {
      kind: 'sentinel';
      sentinels: RedisNode[];
      name: string;
      username?: string;
      password?: string;
      db?: number;
      tls: boolean;
    };

const SINGLE = /^rediss?:\/\/.+/;
const MANY = /^(rediss?)\+(cluster|sentinel):\/\/(?:([^@/]*)@)?([^/?#]*)(?:\/([^?#]*))?(?:\?([^#]*))?$/;
const DEFAULT_PORT = { cluster: 6379, sentinel: 26379 } as const;

/** Reads REDIS_URL; throws an Error whose message says what is wrong (it follows "REDIS_URL"). */
export function parseRedisUrl(url: string): RedisTarget {
  const many = MANY.exec(url);
  if (!many) {
    if (SINGLE.test(url)) return { kind: 'single', url };
    throw new Error(
      'must be a redis:// URL (rediss:// for TLS), redis+cluster://host:port,host:port for a cluster, ' +
        'or redis+sentinel://host:port,host:port/<master name> for sentinels',
    );
  }
  const [, scheme, kind, userinfo, hostList, path, query] = many as unknown as [
    string,
    string,
    'cluster' | 'sentinel',
    string | undefined,
    string,
    string | undefined,
    string | undefined,
  ];
  const nodes = hostList
    .split(',')
    .filter((entry) => entry !== '')
    .map((entry) => nodeOf(entry, DEFAULT_PORT[kind]));
  if (nodes.length === 0) throw new Error(`names no node: ${scheme}+${kind}://host:port,... is the form`);
  const credentials = credentialsOf(userinfo);
  const tls = scheme === 'rediss';
  const name = decodeURIComponent(path ?? '');
  const options = new URLSearchParams(query ?? '');
  if (kind === 'cluster') {
    if (name !== '') throw new Error('must not name a database or master: a cluster has no databases');
    for (const option of options.keys()) throw new Error(`has an unknown option "${option}"`);
    return { kind, nodes, ...credentials, tls };
  }
  if (name === '') throw new Error('must end with the name of the master the sentinels watch: .../<master name>');
  let db: number | undefined;
  for (const [option, value] of options) {
    if (option !== 'db') throw new Error(`has an unknown option "${option}" (only db is known)`);
    if (!/^\d+$/.test(value)) throw new Error('db must be a whole number');
    db = Number(value);
  }
  return { kind, sentinels: nodes, name, ...credentials, ...(db === undefined ? {} : { db }), tls };
}

function nodeOf(entry: string, defaultPort: number): RedisNode {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  const plain = /^([^:[\]]+)(?::(\d+))?$/.exec(entry);
  const found = bracketed ?? plain;
  if (!found) throw new Error(`has a node "${entry}" that is not host:port`);
  const port = found[2] === undefined ? defaultPort : Number(found[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error(`has a bad port: the port of "${entry}"`);
  return { host: found[1], port };
}

function credentialsOf(userinfo: string | undefined): { username?: string; password?: string } {
  if (userinfo === undefined || userinfo === '') return {};
  const colon = userinfo.indexOf(':');
  const username = decodeURIComponent(colon < 0 ? userinfo : userinfo.slice(0, colon));
  const password = colon < 0 ? undefined : decodeURIComponent(userinfo.slice(colon + 1));
  return { ...(username ? { username } : {}), ...(password ? { password } : {}) };
}
