import { Injectable } from '@nestjs/common';
import { ForbiddenError, InvalidInputError, NotFoundError } from '@fleetgate/domain';
import { FleetgateConfig } from '@fleetgate/config';

import type { ApiKeyDto, CreatedApiKeyDto } from '../dto/api-key.dto';
import { UserAccessService } from '../access/user-access.service';
import { ApiKeyRepository } from './api-key.repository';
import { holds, type Principal } from '../principal';
import { SignInCache } from '../sessions/sign-in-cache';
import { randomToken, sameHash, sha256 } from '../token-hash';

const KEY_PATTERN = /^fgk_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

type ApiKeyRow = {
  id: string;
  name: string;
  prefix: string;
  permissions: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  expiresAt: Date;
};

function toDto(row: ApiKeyRow): ApiKeyDto {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    permissions: row.permissions,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
    expiresAt: row.expiresAt,
  };
}

/**
 * API keys for machine clients: `fgk_<prefix>_<secret>`, the prefix finds the row, the secret is hashed.
 * Every key expires (API_KEY_DEFAULT_TTL_DAYS unless its creator names a date, API_KEY_MAX_TTL_DAYS at
 * most), and a user's keys are revoked with their sessions (SessionService.endAllAccess).
 */
/**
 * Keys are created, listed and revoked by a signed-in user, never with a key: a key that could mint
 * keys would live on in its children after it is revoked.
 */
function refuseUnlessSignedIn(caller: Principal): void {
  if (caller.kind !== 'user') {
    throw new ForbiddenError(
      'API keys are created, listed and revoked by a signed-in user (a Bearer access token), not with an API key',
    );
  }
}

@Injectable()
export class ApiKeyService {
  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly access: UserAccessService,
    private readonly config: FleetgateConfig,
    private readonly signIns: SignInCache,
  ) {}

  async create(owner: Principal, name: string, permissions: string[], expiresAt?: Date): Promise<CreatedApiKeyDto> {
    refuseUnlessSignedIn(owner);
    const now = Date.now();
    const latest = now + this.config.API_KEY_MAX_TTL_DAYS * 86_400_000;
    if (expiresAt && (expiresAt.getTime() <= now || expiresAt.getTime() > latest)) {
      throw new InvalidInputError('The expiry is out of range', [
        {
          field: 'expiresAt',
          problem: `must be in the future and at most ${this.config.API_KEY_MAX_TTL_DAYS} days ahead`,
        },
      ]);
    }
    const beyond = permissions.filter((permission) => !holds(owner, permission));
    if (beyond.length) {
      throw new ForbiddenError('A key cannot hold permissions its creator lacks', [
        { field: 'permissions', problem: `you do not hold ${beyond.join(', ')}` },
      ]);
    }
    const prefix = randomToken(12)
      .replace(/[^A-Za-z0-9]/g, '')
      .slice(0, 12)
      .padEnd(12, '0');
    const secret = randomToken(32);
    const row = await this.keys.create({
      name,
      prefix,
      keyHash: sha256(secret),
      ownerId: owner.userId,
      permissions,
      expiresAt: expiresAt ?? new Date(now + this.config.API_KEY_DEFAULT_TTL_DAYS * 86_400_000),
    });
    return { ...toDto(row), key: `fgk_${prefix}_${secret}` };
  }

  /** The caller's own keys, newest first; a signed-in user's only. */
  listOwn(owner: Principal): Promise<ApiKeyDto[]> {
    refuseUnlessSignedIn(owner);
    return this.list(owner.userId);
  }

  /** A user's keys, newest first. */
  async list(ownerId: string): Promise<ApiKeyDto[]> {
    const rows = await this.keys.listOf(ownerId);
    return rows.map(toDto);
  }

  async revoke(owner: Principal, id: string): Promise<void> {
    refuseUnlessSignedIn(owner);
    if (!(await this.keys.revoke(id, owner.userId))) throw new NotFoundError('API key', id);
    await this.signIns.invalidate();
  }

  /** Revokes every live key of a user; answers how many. */
  async revokeAllOf(ownerId: string): Promise<number> {
    const count = await this.keys.revokeAllOf(ownerId);
    await this.signIns.invalidate();
    return count;
  }

  async authenticate(key: string): Promise<Principal | undefined> {
    const match = KEY_PATTERN.exec(key);
    if (!match) return undefined;
    const row = await this.signIns.read(
      `api-key:${match[1]}`,
      async () => (await this.keys.findByPrefixWithOwner(match[1])) ?? undefined,
    );
    if (!row || row.revokedAt || row.expiresAt <= new Date() || !row.owner.enabled) return undefined;
    if (!sameHash(row.keyHash, sha256(match[2]))) return undefined;
    // Usage stamps need not be exact; one write a minute per key is plenty.
    if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
      // The cached row carries the stamp too, so the next minute's requests do not write it again.
      row.lastUsedAt = new Date();
      void this.keys.stampUsed(row.id, new Date()).catch(() => undefined);
    }
    // A key never outgrows its owner: permissions the owner lost since are dropped, and it sees what the owner sees.
    const owner = row.owner.isSuperAdmin ? undefined : await this.access.accessOf(row.ownerId);
    return {
      kind: 'api-key',
      userId: row.ownerId,
      email: row.owner.email,
      apiKeyId: row.id,
      superAdmin: false,
      permissions: new Set(
        owner ? row.permissions.filter((permission) => owner.permissions.has(permission)) : row.permissions,
      ),
      scope: owner?.scope ?? { kind: 'all' },
      departmentId: owner?.departmentId ?? row.owner.departmentId ?? undefined,
    };
  }
}
