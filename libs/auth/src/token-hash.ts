import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Refresh tokens and API keys are long random strings, so a fast SHA-256 is a sound way to store
 * them (unlike passwords, they cannot be guessed from a dictionary).
 */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
