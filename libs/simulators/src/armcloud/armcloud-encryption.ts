import { createCipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * How the vendor's server seals the signalServer / stuns / turns fields of an RTC token, written from
 * the document's "Data encryption and decryption example" (Java AESUtils) like the signature check,
 * sharing no code with Fleetgate's adapter, which decrypts them:
 *
 *   key        = SHA-256(pad code as UTF-8)           → AES-256
 *   iv         = 12 random bytes
 *   ciphertext = AES/GCM/NoPadding(plain), 128-bit tag appended (Java's Cipher.doFinal layout)
 *   wire form  = base64(iv) + ":" + base64(ciphertext || tag)
 */
export function sealArmcloudField(plainText: string, padCode: string): string {
  const iv = randomBytes(12);
  const key = createHash('sha256').update(padCode, 'utf8').digest();
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
  const sealed = Buffer.concat([cipher.update(plainText, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `${iv.toString('base64')}:${sealed.toString('base64')}`;
}
