import { VerifiedTokens } from './verified-tokens';

describe('VerifiedTokens', () => {
  const now = Date.now();
  const inSeconds = (seconds: number) => Math.floor(now / 1000) + seconds;

  afterEach(() => jest.useRealTimers());

  it('verifies a token once and answers its claims from then on', async () => {
    const verify = jest.fn(async (token: string) => ({ sub: token, exp: inSeconds(60) }));
    const tokens = new VerifiedTokens(verify);
    expect(await tokens.claimsOf('a')).toEqual({ sub: 'a', exp: inSeconds(60) });
    expect(await tokens.claimsOf('a')).toEqual({ sub: 'a', exp: inSeconds(60) });
    expect(await tokens.claimsOf('b')).toEqual({ sub: 'b', exp: inSeconds(60) });
    expect(verify.mock.calls).toEqual([['a'], ['b']]);
  });

  it('verifies an expired token again, so that the verifier refuses it', async () => {
    jest.useFakeTimers({ now });
    let expired = false;
    const verify = jest.fn(async () => {
      if (expired) throw new Error('jwt expired');
      return { sub: 'u', exp: inSeconds(10) };
    });
    const tokens = new VerifiedTokens(verify);
    await tokens.claimsOf('t');
    jest.setSystemTime(now + 9_000);
    await tokens.claimsOf('t');
    expect(verify).toHaveBeenCalledTimes(1);
    // jsonwebtoken refuses a token from its exp second on.
    jest.setSystemTime(inSeconds(10) * 1000);
    expired = true;
    await expect(tokens.claimsOf('t')).rejects.toThrow('jwt expired');
    await expect(tokens.claimsOf('t')).rejects.toThrow('jwt expired');
    expect(verify).toHaveBeenCalledTimes(3);
  });

  it('keeps nothing of a token that fails verification', async () => {
    const verify = jest.fn(async () => {
      throw new Error('invalid signature');
    });
    const tokens = new VerifiedTokens(verify);
    await expect(tokens.claimsOf('forged')).rejects.toThrow('invalid signature');
    await expect(tokens.claimsOf('forged')).rejects.toThrow('invalid signature');
    expect(verify).toHaveBeenCalledTimes(2);
  });

  it('does not keep tokens without an expiry or not valid yet', async () => {
    const verify = jest.fn(async (token: string) =>
      token === 'no-exp' ? { sub: 'u' } : { sub: 'u', exp: inSeconds(60), nbf: inSeconds(-1) },
    );
    const tokens = new VerifiedTokens(verify);
    await tokens.claimsOf('no-exp');
    await tokens.claimsOf('no-exp');
    await tokens.claimsOf('nbf');
    await tokens.claimsOf('nbf');
    expect(verify).toHaveBeenCalledTimes(4);
  });

  it('forgets the oldest tokens past its size', async () => {
    const verify = jest.fn(async (token: string) => ({ sub: token, exp: inSeconds(60) }));
    const tokens = new VerifiedTokens(verify, 2);
    await tokens.claimsOf('a');
    await tokens.claimsOf('b');
    await tokens.claimsOf('c');
    await tokens.claimsOf('c');
    await tokens.claimsOf('b');
    await tokens.claimsOf('a');
    expect(verify.mock.calls).toEqual([['a'], ['b'], ['c'], ['a']]);
  });
});
