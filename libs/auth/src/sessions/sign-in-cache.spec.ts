import { Logger } from '@nestjs/common';
import { loadConfig } from '@fleetgate/config';
import { RedisConnections } from '@fleetgate/redis';
import { SignInCache } from './sign-in-cache';

// Against the real Redis, each test in a namespace of its own; two caches stand for two gateways.
describe('SignInCache', () => {
  let connections: RedisConnections[] = [];

  // The Redis-down case logs each refused connection; the assertions say what matters.
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose']));

  function process(prefix: string): SignInCache {
    const redis = new RedisConnections(loadConfig({ REDIS_PREFIX: prefix, NODE_ENV: 'test' }));
    connections.push(redis);
    return new SignInCache(redis);
  }

  function loader(value: string) {
    const load = jest.fn(async () => value);
    return load;
  }

  afterEach(async () => {
    await Promise.all(connections.map((redis) => redis.onModuleDestroy()));
    connections = [];
  });

  it('answers from the cache until something changes, then reads again in every process', async () => {
    const prefix = `fg-signin-${Date.now()}-a`;
    const gatewayA = process(prefix);
    const gatewayB = process(prefix);
    const loadA = loader('row');
    const loadB = loader('row');
    await gatewayA.read('session:1', loadA);
    await gatewayA.read('session:1', loadA);
    await gatewayB.read('session:1', loadB);
    await gatewayB.read('session:1', loadB);
    expect(loadA).toHaveBeenCalledTimes(1);
    expect(loadB).toHaveBeenCalledTimes(1);

    // A revocation in process A: B must read the database on its very next request.
    await gatewayA.invalidate();
    await gatewayB.read('session:1', loadB);
    await gatewayA.read('session:1', loadA);
    expect(loadB).toHaveBeenCalledTimes(2);
    expect(loadA).toHaveBeenCalledTimes(2);
  });

  it('does not keep a row read while a change landed', async () => {
    const cache = process(`fg-signin-${Date.now()}-b`);
    // The change commits (and moves the epoch) while the row is being read.
    const racing = jest.fn(async () => {
      await cache.invalidate();
      return 'stale';
    });
    await cache.read('session:1', racing);
    const fresh = loader('fresh');
    expect(await cache.read('session:1', fresh)).toBe('fresh');
    expect(fresh).toHaveBeenCalledTimes(1);
  });

  it('reads again after Redis lost the epoch', async () => {
    const prefix = `fg-signin-${Date.now()}-c`;
    const cache = process(prefix);
    const load = loader('row');
    await cache.read('api-key:abc', load);
    const redis = new RedisConnections(loadConfig({ REDIS_PREFIX: prefix, NODE_ENV: 'test' }));
    connections.push(redis);
    await redis.commands.del(redis.key('auth', 'epoch'));
    await cache.read('api-key:abc', load);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('caches nothing for a row that is not there', async () => {
    const cache = process(`fg-signin-${Date.now()}-d`);
    const missing = jest.fn(async () => undefined);
    await cache.read('session:gone', missing);
    await cache.read('session:gone', missing);
    expect(missing).toHaveBeenCalledTimes(2);
  });

  it('sends one epoch read for the requests that arrive together', async () => {
    const prefix = `fg-signin-${Date.now()}-e`;
    const cache = process(prefix);
    const load = loader('row');
    await cache.read('session:1', load);
    const gets = jest.spyOn(connections[0].commands, 'get');
    await Promise.all([cache.read('session:1', load), cache.read('session:1', load), cache.read('session:2', load)]);
    expect(gets).toHaveBeenCalledTimes(1);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('never answers a request from an epoch read sent before it arrived', async () => {
    const prefix = `fg-signin-${Date.now()}-f`;
    const gateway = process(prefix);
    const elsewhere = process(prefix);
    expect(await gateway.read('session:1', loader('before'))).toBe('before');
    // The first epoch read is answered by Redis before the revocation below, but reaches this
    // process only after it: a request that arrives in between must not take that answer.
    const commands = connections[0].commands;
    const real = commands.get.bind(commands);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const gets = jest.spyOn(commands, 'get').mockImplementationOnce(async (key) => {
      const epoch = await real(key);
      await held;
      return epoch;
    });
    const early = gateway.read('session:1', loader('unused'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(gets).toHaveBeenCalledTimes(1);
    await elsewhere.invalidate();
    const late = gateway.read('session:1', loader('after'));
    release();
    expect(await early).toBe('before');
    expect(await late).toBe('after');
    expect(gets).toHaveBeenCalledTimes(2);
  });

  it('reads the database on every request when Redis does not answer', async () => {
    const redis = new RedisConnections(
      loadConfig({ REDIS_URL: 'redis://127.0.0.1:1', REDIS_PREFIX: 'fg-signin-down', NODE_ENV: 'test' }),
    );
    connections.push(redis);
    const cache = new SignInCache(redis);
    const load = loader('row');
    await cache.read('session:1', load);
    await cache.read('session:1', load);
    expect(load).toHaveBeenCalledTimes(2);
    await expect(cache.invalidate()).rejects.toThrow();
  });
});
