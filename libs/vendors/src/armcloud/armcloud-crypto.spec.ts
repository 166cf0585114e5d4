import { createCipheriv, createHash } from 'node:crypto';
import { ArmcloudDecryptionError, decryptArmcloudData, encryptArmcloudData } from './armcloud-crypto';

describe('ArmCloud AES-GCM', () => {
  it("decrypts the document's example (key AC22030010001)", () => {
    expect(decryptArmcloudData('iMzQUI7SwzSD0kGJ:4FZ1fn1Jdd5Z4j2ehn/F3VSUVWBwLFQZH/HOCjLAI95r', 'AC22030010001')).toBe(
      '47.92.204.33:5000',
    );
  });

  it('encrypts as the Java example does: SHA-256 key, 12-byte IV, tag appended, base64 iv:ciphertext', () => {
    const iv = Buffer.alloc(12, 7);
    const key = createHash('sha256').update('AC22030010181').digest();
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const expected = Buffer.concat([cipher.update('turn:1.2.3.4:3478', 'utf8'), cipher.final(), cipher.getAuthTag()]);
    expect(encryptArmcloudData('turn:1.2.3.4:3478', 'AC22030010181', iv)).toBe(
      `${iv.toString('base64')}:${expected.toString('base64')}`,
    );
  });

  it('round-trips with a random IV', () => {
    const sealed = encryptArmcloudData('wss://signal.example:443', 'AC22030010001');
    expect(sealed).not.toContain('wss');
    expect(decryptArmcloudData(sealed, 'AC22030010001')).toBe('wss://signal.example:443');
  });

  it('refuses a wrong key, altered data and malformed text', () => {
    const sealed = encryptArmcloudData('secret', 'AC1');
    expect(() => decryptArmcloudData(sealed, 'AC2')).toThrow(ArmcloudDecryptionError);
    const [iv, body] = sealed.split(':');
    const altered = Buffer.from(body, 'base64');
    altered[0] ^= 1;
    expect(() => decryptArmcloudData(`${iv}:${altered.toString('base64')}`, 'AC1')).toThrow('authentication failed');
    expect(() => decryptArmcloudData('no-separator', 'AC1')).toThrow(ArmcloudDecryptionError);
    expect(() => decryptArmcloudData('AAAA:AAAA', 'AC1')).toThrow('iv must be 12 bytes');
  });
});
