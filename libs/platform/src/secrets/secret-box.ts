import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';

/**
 * Encrypts secrets at rest (vendor credentials, webhook secrets) with AES-256-GCM under the key from
 * SECRETS_KEY. The stored form is `v1.<iv>.<tag>.<ciphertext>` in base64url. During a rotation the
 * key being replaced (SECRETS_KEY_PREVIOUS) still opens what it sealed: GCM's tag tells the keys apart,
 * so a secret is tried under the current key first, then the previous one. `reseal` moves a secret
 * under the current key (dist/scripts/reseal-secrets.js does it for every stored secret).
 */
export class SecretBox {
  private readonly key: Buffer;
  private readonly previousKey?: Buffer;

  constructor(base64Key: string, previousBase64Key?: string) {
    this.key = SecretBox.keyOf(base64Key);
    if (previousBase64Key) this.previousKey = SecretBox.keyOf(previousBase64Key);
  }

  private static keyOf(base64Key: string): Buffer {
    const key = Buffer.from(base64Key, 'base64');
    if (key.length !== 32) throw new Error('SecretBox needs a 32-byte key');
    return key;
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), ciphertext]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  open(sealed: string): string {
    const [version, iv, tag, ciphertext] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || ciphertext === undefined) throw new Error('not a sealed secret');
    const openWith = (key: Buffer) => {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    };
    try {
      return openWith(this.key);
    } catch (error) {
      if (!this.previousKey) throw error;
      return openWith(this.previousKey);
    }
  }

  /** The same secret sealed under the current key (with a fresh IV). */
  reseal(sealed: string): string {
    return this.seal(this.open(sealed));
  }

  sealJson(value: unknown): string {
    return this.seal(JSON.stringify(value));
  }

  openJson<T>(sealed: string): T {
    return JSON.parse(this.open(sealed)) as T;
  }
}
