/** Tokens kept per process; past it the oldest go first. */
const MAX_TOKENS = 10_000;

/** The claims this cache needs of a verified token: when it stops being valid, and whether it starts later. */
interface TimedClaims {
  exp?: number;
  nbf?: number;
}

/**
 * Signed tokens already verified, with their claims, so that a token's signature is checked (HMAC,
 * base64 and JSON decoding) once per process rather than on every request that presents it. A token
 * is answered from here only until its expiry, as jsonwebtoken counts it (refused from its `exp`
 * second on), and then verified again, so the verifier refuses it; a token that fails verification is
 * never kept. Whether its session still stands is not this cache's business (SignInCache).
 */
export class VerifiedTokens<Claims extends TimedClaims> {
  private readonly verified = new Map<string, Claims>();

  constructor(
    private readonly verify: (token: string) => Promise<Claims>,
    private readonly maxTokens = MAX_TOKENS,
  ) {}

  async claimsOf(token: string): Promise<Claims> {
    const known = this.verified.get(token);
    if (known && Math.floor(Date.now() / 1000) < known.exp!) return known;
    if (known) this.verified.delete(token);
    const claims = await this.verify(token);
    // Without an expiry a token would be kept for ever; one not valid yet is left to the verifier.
    if (typeof claims.exp === 'number' && claims.nbf === undefined) this.remember(token, claims);
    return claims;
  }

  private remember(token: string, claims: Claims): void {
    if (this.verified.size >= this.maxTokens) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, claims);
  }
}
