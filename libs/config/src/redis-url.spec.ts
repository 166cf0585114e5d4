import { parseRedisUrl } from './redis-url';

describe('parseRedisUrl', () => {
  it('reads redis:// and rediss:// as one server, the URL kept whole for ioredis', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6379')).toEqual({ kind: 'single', url: 'redis://127.0.0.1:6379' });
    expect(parseRedisUrl('rediss://user:pw@cache.example:6380/2')).toEqual({
      kind: 'single',
      url: 'rediss://user:pw@cache.example:6380/2',
    });
  });

  it('reads redis+cluster:// as the seed nodes of a cluster, with credentials and TLS for every node', () => {
    expect(parseRedisUrl('redis+cluster://127.0.0.1:7101,127.0.0.1:7102,localhost')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '127.0.0.1', port: 7101 },
        { host: '127.0.0.1', port: 7102 },
        { host: 'localhost', port: 6379 },
      ],
      tls: false,
    });
    expect(parseRedisUrl('rediss+cluster://fg:p%40ss@[::1]:7000,node-b:7001/')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '::1', port: 7000 },
        { host: 'node-b', port: 7001 },
      ],
      username: 'fg',
      password: 'p@ss',
      tls: true,
    });
  });

  it('reads redis+sentinel:// as sentinels and the name of the master they watch', () => {
    expect(parseRedisUrl('redis+sentinel://:secret@10.0.0.1:26379,10.0.0.2/mymaster?db=3')).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: '10.0.0.2', port: 26379 },
      ],
      name: 'mymaster',
      password: 'secret',
      db: 3,
      tls: false,
    });
  });

  it.each([
    ['http://nope', /must be a redis:\/\/ URL/],
    ['redis+cluster://', /names no node/],
    ['redis+cluster://a:70000', /port of "a:70000"/],
    ['redis+cluster://a:7000/3', /cluster has no databases/],
    ['redis+sentinel://a:26379', /name of the master/],
    ['redis+sentinel://a:26379/m?db=x', /db must be a whole number/],
    ['redis+sentinel://a:26379/m?role=slave', /unknown option "role"/],
  ])('refuses %s and says why', (url, reason) => {
    expect(() => parseRedisUrl(url)).toThrow(reason);
  });
});
