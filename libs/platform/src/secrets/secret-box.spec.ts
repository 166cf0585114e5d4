import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32).toString('base64'));

  it('round-trips and never stores the plaintext', () => {
    const sealed = box.seal('sk-live-123456');
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain('sk-live-123456');
    expect(box.open(sealed)).toBe('sk-live-123456');
  });

  it('uses a fresh IV each time', () => {
    expect(box.seal('same')).not.toBe(box.seal('same'));
  });

  it('refuses tampered ciphertext and a different key', () => {
    const sealed = box.seal('secret');
    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[3], 'base64url');
    flipped[0] ^= 1;
    parts[3] = flipped.toString('base64url');
    expect(() => box.open(parts.join('.'))).toThrow();
    expect(() => new SecretBox(randomBytes(32).toString('base64')).open(sealed)).toThrow();
  });
});

describe('SecretBox during a rotation of SECRETS_KEY', () => {
  const oldKey = randomBytes(32).toString('base64');
  const newKey = randomBytes(32).toString('base64');

  it('opens what the previous key sealed, seals under the new key only', () => {
    const sealedBefore = new SecretBox(oldKey).seal('vendor-secret');
    const rotating = new SecretBox(newKey, oldKey);
    expect(rotating.open(sealedBefore)).toBe('vendor-secret');
    const resealed = rotating.reseal(sealedBefore);
    expect(new SecretBox(newKey).open(resealed)).toBe('vendor-secret');
    expect(() => new SecretBox(oldKey).open(resealed)).toThrow();
  });

  it('without the previous key, what it sealed no longer opens', () => {
    expect(() => new SecretBox(newKey).open(new SecretBox(oldKey).seal('x'))).toThrow();
  });
});
