import { Injectable, Logger } from '@nestjs/common';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { ConflictError, InvalidInputError, NotFoundError } from '@fleetgate/domain';
import { FleetgateConfig } from '@fleetgate/config';
import { EpochCache, RedisConnections } from '@fleetgate/redis';
import type { VendorAccount } from '@fleetgate/persistence';
import {
  type FieldProblem,
  OutboundUrlGuard,
  PageQueryDto,
  type Paged,
  paged,
  SecretBox,
  WebhookSignature,
} from '@fleetgate/platform';
import type { VendorAccountConfig } from '../core/vendor-account';
import type { VendorAdapter } from '../core/vendor-adapter';
import type { VendorDefinition } from '../core/vendor-definition';
import { VendorError } from '../core/vendor-error';
import { VendorRegistry } from '../registry/vendor-registry';
import { VendorAccountRepository } from './vendor-account.repository';
import type {
  ConnectionTestDto,
  CreatedVendorAccountDto,
  CreateVendorAccountDto,
  RotatedWebhookSecretDto,
  UpdateVendorAccountDto,
  VendorAccountDto,
} from './vendor-account.dto';

type VendorAccountRow = VendorAccount;

/** How long a process answers from a cached account row at most, whatever the epoch says. */
const ACCOUNT_ROW_MAX_AGE_MS = 5_000;
/** Account rows a process keeps at most; the oldest goes first. */
export const ACCOUNT_CACHE_MAX_ROWS = 10_000;

/** A cached account row, and its secrets once a hot path has opened them (in memory only). */
interface CachedAccount {
  row: VendorAccountRow | null;
  webhookSecret?: string;
  previousWebhookSecret?: string;
  credentials?: Record<string, string>;
}

/** Vendor accounts: credentials sealed at rest, never returned, decrypted only to build an adapter. */
/** What a callback's caller offers to prove itself. */
export interface WebhookProof {
  secret?: string;
  timestamp?: string;
  signature?: string;
  rawBody?: Buffer | string;
}

@Injectable()
export class VendorAccountService {
  private readonly box: SecretBox;
  /**
   * Account rows for the hot paths (every dispatch and every callback) under the accounts' epoch: a
   * change to an account (edited, deleted, its webhook secret rotated) is seen by every gateway and
   * worker at once, or within ACCOUNT_ROW_MAX_AGE_MS when Redis could not take the new epoch. Rows of
   * existing accounts only: the webhook route is open, and anyone can name any UUID there, so an id
   * that names no account is looked up again each time (the route's per-address limit bounds that)
   * and never displaces a real account's row.
   */
  private readonly rows: EpochCache;
  private readonly logger = new Logger(VendorAccountService.name);

  constructor(
    private readonly accounts: VendorAccountRepository,
    private readonly registry: VendorRegistry,
    private readonly outbound: OutboundUrlGuard,
    config: FleetgateConfig,
    redis: RedisConnections,
  ) {
    this.box = new SecretBox(config.SECRETS_KEY, config.SECRETS_KEY_PREVIOUS);
    this.rows = new EpochCache(redis, {
      key: redis.key('vendor-accounts', 'epoch'),
      maxAgeMs: ACCOUNT_ROW_MAX_AGE_MS,
      maxEntries: ACCOUNT_CACHE_MAX_ROWS,
      what: 'vendor accounts',
    });
  }

  async create(input: CreateVendorAccountDto): Promise<CreatedVendorAccountDto> {
    const definition = this.definitionOf(input.vendor);
    const credentials = this.checkCredentials(definition, input.credentials, true);
    await this.outbound.check(input.baseUrl, 'baseUrl');
    await this.refuseTakenName(input.vendor, input.name);
    const webhookSecret = randomBytes(24).toString('base64url');
    const row = await this.accounts.create({
      vendor: input.vendor,
      name: input.name,
      baseUrl: input.baseUrl,
      publicCredentials: this.publicPart(definition, credentials),
      credentialsSealed: this.box.sealJson(credentials),
      webhookSecretSealed: this.box.seal(webhookSecret),
      rateLimitPerSecond: input.rateLimitPerSecond ?? definition.defaultRateLimitPerSecond,
      timeoutMs: input.timeoutMs ?? 10_000,
    });
    return { ...this.toDto(row), webhookSecret };
  }

  async list(query: PageQueryDto, vendor?: string): Promise<Paged<VendorAccountDto>> {
    const [rows, total] = await this.accounts.page(vendor, { skip: query.skip, take: query.pageSize });
    return paged(
      rows.map((row) => this.toDto(row)),
      total,
      query,
    );
  }

  async get(id: string): Promise<VendorAccountDto> {
    return this.toDto(await this.row(id));
  }

  /** The accounts among these that are disabled, for a caller that must refuse to act on them. */
  disabledAmong(ids: string[]): Promise<Array<{ id: string; vendor: string; name: string }>> {
    return this.accounts.disabledAmong(ids);
  }

  async update(id: string, input: UpdateVendorAccountDto): Promise<VendorAccountDto> {
    const current = await this.row(id);
    const definition = this.definitionOf(current.vendor);
    await this.outbound.check(input.baseUrl, 'baseUrl');
    if (input.name !== undefined && input.name !== current.name) await this.refuseTakenName(current.vendor, input.name);
    let sealed: { publicCredentials?: Record<string, string>; credentialsSealed?: string } = {};
    if (input.credentials) {
      const merged = { ...this.box.openJson<Record<string, string>>(current.credentialsSealed), ...input.credentials };
      const credentials = this.checkCredentials(definition, merged, true);
      sealed = {
        publicCredentials: this.publicPart(definition, credentials),
        credentialsSealed: this.box.sealJson(credentials),
      };
    }
    const row = await this.accounts.update(id, {
      name: input.name,
      baseUrl: input.baseUrl,
      rateLimitPerSecond: input.rateLimitPerSecond,
      timeoutMs: input.timeoutMs,
      enabled: input.enabled,
      ...sealed,
    });
    this.registry.forget(id);
    await this.changed(id);
    return this.toDto(row);
  }

  async remove(id: string): Promise<void> {
    await this.accounts.delete(id);
    this.registry.forget(id);
    await this.changed(id);
  }

  /** A new webhook secret; the replaced one stays valid for `graceHours` (0: not at all). */
  async rotateWebhookSecret(id: string, graceHours: number): Promise<RotatedWebhookSecretDto> {
    const current = await this.row(id);
    const webhookSecret = randomBytes(24).toString('base64url');
    const previousValidUntil = graceHours > 0 ? new Date(Date.now() + graceHours * 3_600_000) : undefined;
    await this.accounts.update(id, {
      webhookSecretSealed: this.box.seal(webhookSecret),
      webhookSecretPreviousSealed: previousValidUntil ? current.webhookSecretSealed : null,
      webhookSecretPreviousUntil: previousValidUntil ?? null,
    });
    await this.changed(id);
    return { webhookSecret, previousValidUntil };
  }

  async testConnection(id: string): Promise<ConnectionTestDto> {
    try {
      await (await this.adapterFor(id)).testConnection();
      return { ok: true };
    } catch (error) {
      if (!(error instanceof VendorError)) throw error;
      return {
        ok: false,
        error: { kind: error.kind, vendorCode: error.vendorCode, vendorMessage: error.vendorMessage },
      };
    }
  }

  /** The account as an adapter needs it, credentials decrypted (in memory only). */
  async configOf(id: string): Promise<{ config: VendorAccountConfig; version: string }> {
    const cached = await this.cachedAccount(id);
    const row = cached.row;
    if (!row) throw new NotFoundError('Vendor account', id);
    return {
      version: row.updatedAt.toISOString(),
      config: {
        id: row.id,
        vendor: this.definitionOf(row.vendor).vendor,
        baseUrl: row.baseUrl,
        credentials: (cached.credentials ??= this.box.openJson<Record<string, string>>(row.credentialsSealed)),
        rateLimitPerSecond: row.rateLimitPerSecond,
        timeoutMs: row.timeoutMs,
      },
    };
  }

  async adapterFor(id: string): Promise<VendorAdapter> {
    const { config, version } = await this.configOf(id);
    return this.registry.adapterFor(config, version);
  }

  /** Ids of the accounts that are enabled, for work done on every account (schedule pulls, syncs). */
  enabledIds(): Promise<string[]> {
    return this.accounts.enabledIds();
  }

  /** Names are unique per vendor; the unique index backs this check up against races. */
  private async refuseTakenName(vendor: string, name: string): Promise<void> {
    if (await this.accounts.idOfName(vendor, name)) {
      throw new ConflictError(`A ${vendor} account named ${name} already exists`, [
        { field: 'name', problem: 'is already taken' },
      ]);
    }
  }

  /**
   * Whether `given` is the account's webhook secret (constant-time). False for an unknown account or
   * vendor mismatch, so that a caller cannot tell which part was wrong.
   */
  /**
   * Checks a callback's caller. Signed (X-Fleetgate-Timestamp and X-Fleetgate-Signature, an HMAC of the
   * body under the account's webhook secret) is checked for forgery and age; otherwise the secret itself
   * must be presented (vendors that only take a URL cannot sign).
   */
  async verifyWebhook(id: string, vendor: string, proof: WebhookProof): Promise<'ok' | 'unknown' | 'stale' | 'forged'> {
    const cached = await this.cachedAccount(id);
    const row = cached.row;
    if (!row || row.vendor !== vendor || !row.enabled) return 'unknown';
    const secrets = [(cached.webhookSecret ??= this.box.open(row.webhookSecretSealed))];
    // During a rotation the replaced secret is accepted too, until its grace period ends.
    if (
      row.webhookSecretPreviousSealed &&
      row.webhookSecretPreviousUntil &&
      row.webhookSecretPreviousUntil > new Date()
    ) {
      secrets.push((cached.previousWebhookSecret ??= this.box.open(row.webhookSecretPreviousSealed)));
    }
    if (proof.timestamp || proof.signature) {
      const verdicts = secrets.map((secret) =>
        WebhookSignature.verify(secret, proof.timestamp, proof.signature, proof.rawBody ?? ''),
      );
      if (verdicts.includes('ok')) return 'ok';
      if (verdicts.includes('stale')) return 'stale';
      return 'forged';
    }
    if (!proof.secret) return 'forged';
    const offered = Buffer.from(proof.secret);
    const matches = secrets.map((secret) => {
      const expected = Buffer.from(secret);
      return expected.length === offered.length && timingSafeEqual(expected, offered);
    });
    return matches.includes(true) ? 'ok' : 'forged';
  }

  /**
   * Moves the accounts' epoch once a change is committed. When Redis cannot take it the change still
   * stands and is answered (an operator who rotated a secret must see the new one): other processes
   * then see it once their cached row is ACCOUNT_ROW_MAX_AGE_MS old.
   */
  private async changed(id: string): Promise<void> {
    try {
      await this.rows.invalidate();
    } catch (error) {
      this.logger.warn(
        { accountId: id, err: (error as Error).message },
        `account changed, but its epoch could not be moved: other processes see it within ${ACCOUNT_ROW_MAX_AGE_MS} ms`,
      );
    }
  }

  /** An account's row for the hot paths, with its secrets once opened (in memory only); null when none. */
  private async cachedAccount(id: string): Promise<CachedAccount> {
    const cached = await this.rows.read<CachedAccount>(id, async () => {
      const row = await this.accounts.findById(id);
      return row ? { row } : undefined;
    });
    return cached ?? { row: null };
  }

  private async row(id: string): Promise<VendorAccountRow> {
    const row = await this.accounts.findById(id);
    if (!row) throw new NotFoundError('Vendor account', id);
    return row;
  }

  private definitionOf(vendor: string): VendorDefinition {
    const definition = this.registry.definition(vendor);
    if (!definition) {
      throw new InvalidInputError(`Vendor ${vendor} has no adapter in this build`, [
        { field: 'vendor', problem: `must be one of ${this.registry.vendors().join(', ')}` },
      ]);
    }
    return definition;
  }

  private checkCredentials(
    definition: VendorDefinition,
    given: Record<string, unknown>,
    complete: boolean,
  ): Record<string, string> {
    const known = new Set(definition.credentialFields.map((field) => field.name));
    const problems: FieldProblem[] = [];
    for (const [name, value] of Object.entries(given)) {
      if (!known.has(name))
        problems.push({ field: `credentials.${name}`, problem: `is not a ${definition.vendor} credential field` });
      else if (typeof value !== 'string' || value.length === 0)
        problems.push({ field: `credentials.${name}`, problem: 'must be a non-empty string' });
    }
    if (complete) {
      for (const field of definition.credentialFields) {
        if (!field.optional && given[field.name] === undefined)
          problems.push({ field: `credentials.${field.name}`, problem: `is required (${field.description})` });
      }
    }
    if (problems.length) throw new InvalidInputError(`Invalid ${definition.displayName} credentials`, problems);
    return given as Record<string, string>;
  }

  private publicPart(definition: VendorDefinition, credentials: Record<string, string>): Record<string, string> {
    return Object.fromEntries(
      definition.credentialFields
        .filter((field) => !field.secret && credentials[field.name] !== undefined)
        .map((field) => [field.name, credentials[field.name]]),
    );
  }

  private toDto(row: VendorAccountRow): VendorAccountDto {
    return {
      id: row.id,
      vendor: row.vendor,
      name: row.name,
      baseUrl: row.baseUrl,
      publicCredentials: (row.publicCredentials ?? {}) as Record<string, string>,
      // Names only, never values: read from the sealed set so that optional fields left out are not listed.
      credentialFieldsSet: Object.keys(this.box.openJson<Record<string, string>>(row.credentialsSealed)),
      rateLimitPerSecond: row.rateLimitPerSecond,
      timeoutMs: row.timeoutMs,
      enabled: row.enabled,
      webhookPath: `/webhooks/${row.vendor}/${row.id}`,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  }
}
