import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { hash, verify } from '@node-rs/argon2';

/** argon2id via @node-rs/argon2 (prebuilt binaries in npm packages, no install scripts). */
@Injectable()
export class PasswordHasher {
  private decoy?: Promise<string>;

  hash(password: string): Promise<string> {
    return hash(password);
  }

  /** A hash of nothing anyone knows, verified against for unknown users so both paths cost the same. */
  decoyHash(): Promise<string> {
    this.decoy ??= hash(randomBytes(24).toString('base64'));
    return this.decoy;
  }

  async verify(passwordHash: string, password: string): Promise<boolean> {
    try {
      return await verify(passwordHash, password);
    } catch {
      return false;
    }
  }
}
