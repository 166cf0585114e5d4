import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * The AES-GCM scheme of the vendor document's "Data encryption and decryption example" (Java AESUtils),
 * used for the signalServer / stuns / turns fields of RTC tokens, keyed by the pad code:
 *
 *   key        = SHA-256(password as UTF-8)            → AES-256
 *   iv         = 12 random bytes
 *   ciphertext = AES/GCM/NoPadding(plain), 128-bit tag appended (Java's Cipher.doFinal layout)
 *   wire form  = base64(iv) + ":" + base64(ciphertext || tag)
 */

const GCM_IV_LENGTH = 12;
const GCM_TAG_LENGTH = 16;

export class ArmcloudDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArmcloudDecryptionError';
  }
}

function keyFromPassword(password: string): Buffer {
  return createHash('sha256').update(password, 'utf8').digest();
}

/** Decrypts `base64(iv):base64(ciphertext+tag)`; throws ArmcloudDecryptionError when the text is malformed or was tampered with. */
export function decryptArmcloudData(encryptedData: string, password: string): string {
  const parts = encryptedData.split(':');
  if (parts.length !== 2) throw new ArmcloudDecryptionError('encrypted data must read "base64(iv):base64(ciphertext)"');
  const iv = Buffer.from(parts[0], 'base64');
  const sealed = Buffer.from(parts[1], 'base64');
  if (iv.length !== GCM_IV_LENGTH)
    throw new ArmcloudDecryptionError(`iv must be ${GCM_IV_LENGTH} bytes, got ${iv.length}`);
  if (sealed.length < GCM_TAG_LENGTH) throw new ArmcloudDecryptionError('ciphertext is shorter than the GCM tag');
  const decipher = createDecipheriv('aes-256-gcm', keyFromPassword(password), iv, { authTagLength: GCM_TAG_LENGTH });
  decipher.setAuthTag(sealed.subarray(sealed.length - GCM_TAG_LENGTH));
  try {
    return Buffer.concat([
      decipher.update(sealed.subarray(0, sealed.length - GCM_TAG_LENGTH)),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    throw new ArmcloudDecryptionError('authentication failed: wrong key or altered data');
  }
}

/** The matching encryption; `iv` is for fixed test vectors only (a fresh random IV otherwise). */
export function encryptArmcloudData(
  plainText: string,
  password: string,
  iv: Uint8Array = randomBytes(GCM_IV_LENGTH),
): string {
  if (iv.length !== GCM_IV_LENGTH) throw new Error(`iv must be ${GCM_IV_LENGTH} bytes`);
  const cipher = createCipheriv('aes-256-gcm', keyFromPassword(password), iv, { authTagLength: GCM_TAG_LENGTH });
  const sealed = Buffer.concat([cipher.update(plainText, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `${Buffer.from(iv).toString('base64')}:${sealed.toString('base64')}`;
}
