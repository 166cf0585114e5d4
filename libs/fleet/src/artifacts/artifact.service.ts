import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Injectable } from '@nestjs/common';
import { ForbiddenError, InvalidInputError, NotFoundError, RuleViolationError } from '@fleetgate/domain';
import { FleetgateConfig } from '@fleetgate/config';
import type { Artifact } from '@fleetgate/persistence';
import { paged, type Paged } from '@fleetgate/platform';
import { type AccessScope, type CallerScope, systemScope } from '../scope/access-scope';
import type { ArtifactDto, ArtifactKind, ArtifactQueryDto, RegisterArtifactDto } from './artifact.dto';
import { ArtifactRepository } from './artifact.repository';

/** How long a signed download link of a stored upload stays valid: long enough for slow vendor queues. */
const LINK_TTL_SECONDS = 7 * 86_400;

export interface UploadedArtifact {
  kind: ArtifactKind;
  name: string;
  fileName: string;
  stream: Readable;
  packageName?: string;
  versionName?: string;
  versionCode?: number;
}

/** What a task needs to send an artifact to a vendor. */
export interface ArtifactLink {
  url: string;
  md5?: string;
  fileName: string;
  packageName?: string;
}

/** Vendors download through a signed link: the signature, not a caller, grants the read. */
const SIGNED_LINK_SCOPE = systemScope('a vendor downloads a stored upload through its signed link');

/**
 * The catalog of apps and files. Each belongs to whoever added it and to their department, and is
 * seen and used within data scopes as tasks are. Uploads are streamed to ARTIFACTS_DIR with their MD5 and size
 * computed on the way; vendors fetch stored ones through a signed, expiring link (they cannot log in).
 */
@Injectable()
export class ArtifactService {
  private readonly dir: string;
  private readonly linkKey: Buffer;

  constructor(
    private readonly artifacts: ArtifactRepository,
    private readonly config: FleetgateConfig,
  ) {
    this.dir = resolve(config.ARTIFACTS_DIR);
    // A key of its own: SECRETS_KEY seals secrets at rest and is never used to sign anything handed out.
    this.linkKey = Buffer.from(config.ARTIFACT_LINK_KEY, 'utf8');
  }

  async upload(input: UploadedArtifact, scope: CallerScope): Promise<ArtifactDto> {
    await mkdir(this.dir, { recursive: true });
    const id = randomUUID();
    const storagePath = `${id}-${safeName(input.fileName)}`;
    const md5 = createHash('md5');
    let size = 0;
    const measure = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        md5.update(chunk);
        size += chunk.length;
        callback(null, chunk);
      },
    });
    try {
      await pipeline(input.stream, measure, createWriteStream(join(this.dir, storagePath)));
    } catch (error) {
      await rm(join(this.dir, storagePath), { force: true });
      throw error;
    }
    if ((input.stream as Readable & { truncated?: boolean }).truncated) {
      await rm(join(this.dir, storagePath), { force: true });
      throw new InvalidInputError('The upload is too large', [
        { field: 'file', problem: `exceeds ${this.config.ARTIFACT_MAX_BYTES} bytes` },
      ]);
    }
    const row = await this.artifacts.create(scope, {
      id,
      kind: input.kind,
      name: input.name,
      fileName: input.fileName,
      storagePath,
      md5: md5.digest('hex'),
      size: BigInt(size),
      packageName: input.packageName,
      versionName: input.versionName,
      versionCode: input.versionCode,
    });
    return toDto(row);
  }

  async register(input: RegisterArtifactDto, scope: CallerScope): Promise<ArtifactDto> {
    const row = await this.artifacts.create(scope, {
      kind: input.kind,
      name: input.name,
      fileName: basename(new URL(input.url).pathname) || input.name,
      sourceUrl: input.url,
      md5: input.md5?.toLowerCase(),
      size: input.size === undefined ? undefined : BigInt(input.size),
      packageName: input.packageName,
      versionName: input.versionName,
      versionCode: input.versionCode,
    });
    return toDto(row);
  }

  async list(query: ArtifactQueryDto, scope: AccessScope): Promise<Paged<ArtifactDto>> {
    const { rows, total } = await this.artifacts.list(
      scope,
      { kind: query.kind, text: query.text },
      { skip: query.skip, take: query.pageSize },
    );
    return paged(rows.map(toDto), total, query);
  }

  async get(id: string, scope: AccessScope): Promise<ArtifactDto> {
    return toDto(await this.row(id, scope));
  }

  async remove(id: string, scope: AccessScope): Promise<void> {
    const row = await this.row(id, scope);
    await this.artifacts.delete(scope, id);
    if (row.storagePath) await rm(join(this.dir, row.storagePath), { force: true });
  }

  /** The URL a vendor fetches, with what the vendor checks it against. */
  async linkFor(id: string, kind: ArtifactKind, scope: AccessScope): Promise<ArtifactLink> {
    const row = await this.artifacts.find(scope, id);
    if (!row || row.kind !== kind) {
      throw new RuleViolationError(`No ${kind} ${id} in the catalog`, [
        { field: 'operation.params.artifactId', problem: `is not a ${kind} of the catalog` },
      ]);
    }
    const url = row.sourceUrl ?? this.signedUrl(row.id);
    return {
      url,
      md5: row.md5 ?? undefined,
      fileName: row.fileName,
      packageName: row.packageName ?? undefined,
    };
  }

  /** Opens a stored upload for a signed link; refuses a forged or expired one. */
  async openSigned(id: string, expires: number, signature: string): Promise<{ stream: Readable; artifact: Artifact }> {
    const expected = Buffer.from(this.sign(id, expires));
    const given = Buffer.from(signature ?? '');
    if (
      !Number.isInteger(expires) ||
      expires * 1000 < Date.now() ||
      expected.length !== given.length ||
      !timingSafeEqual(expected, given)
    ) {
      throw new ForbiddenError('This download link is invalid or has expired');
    }
    const artifact = await this.row(id, SIGNED_LINK_SCOPE);
    if (!artifact.storagePath) throw new NotFoundError('Stored content of artifact', id);
    return { stream: createReadStream(join(this.dir, artifact.storagePath)), artifact };
  }

  private signedUrl(id: string): string {
    const expires = Math.floor(Date.now() / 1000) + LINK_TTL_SECONDS;
    const base = this.config.PUBLIC_BASE_URL.replace(/\/$/, '');
    return `${base}/artifacts/${id}/content?expires=${expires}&signature=${this.sign(id, expires)}`;
  }

  private sign(id: string, expires: number): string {
    return createHmac('sha256', this.linkKey).update(`${id}.${expires}`).digest('hex');
  }

  /** An artifact the scope reaches; one outside it is not found, so that its existence does not leak. */
  private async row(id: string, scope: AccessScope): Promise<Artifact> {
    const row = await this.artifacts.find(scope, id);
    if (!row) throw new NotFoundError('Artifact', id);
    return row;
  }
}

function safeName(fileName: string): string {
  return (
    basename(fileName)
      .replace(/[^\w.-]/g, '_')
      .slice(0, 100) || 'upload'
  );
}

function toDto(row: Artifact): ArtifactDto {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    fileName: row.fileName,
    stored: row.storagePath !== null,
    sourceUrl: row.sourceUrl,
    md5: row.md5,
    size: row.size === null ? null : Number(row.size),
    packageName: row.packageName,
    versionName: row.versionName,
    versionCode: row.versionCode,
    createdAt: row.createdAt,
  };
}
