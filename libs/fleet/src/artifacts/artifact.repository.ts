import { Injectable } from '@nestjs/common';
import { type Artifact, type Db, type Prisma, PrismaService } from '@fleetgate/persistence';
import type { AccessScope, CallerScope } from '../scope/access-scope';
import { artifactsInScope } from '../scope/data-scope-where';
import type { ArtifactKind } from './artifact.dto';

/** An app or file added to the catalog: stored here (`storagePath`) or fetched from `sourceUrl`. */
export interface NewArtifact {
  id?: string;
  kind: ArtifactKind;
  name: string;
  fileName: string;
  storagePath?: string;
  sourceUrl?: string;
  md5?: string;
  size?: bigint;
  packageName?: string;
  versionName?: string;
  versionCode?: number;
}

export interface ArtifactFilter {
  kind?: ArtifactKind;
  /** Matches the name or the package name, ignoring case. */
  text?: string;
}

/**
 * The `artifacts` table. Every read and write takes the scope it acts within and applies it in the
 * statement; an artifact belongs to the caller who adds it and to their department.
 */
@Injectable()
export class ArtifactRepository {
  constructor(private readonly prisma: PrismaService) {}

  create(scope: CallerScope, artifact: NewArtifact, db: Db = this.prisma): Promise<Artifact> {
    return db.artifact.create({
      data: { ...artifact, createdById: scope.userId, departmentId: scope.departmentId },
    });
  }

  async list(
    scope: AccessScope,
    filter: ArtifactFilter,
    page: { skip: number; take: number },
    db: Db = this.prisma,
  ): Promise<{ rows: Artifact[]; total: number }> {
    // Joined with AND, not spread: a departments scope is an OR of its own, which the search's would replace.
    const where: Prisma.ArtifactWhereInput = {
      AND: [
        artifactsInScope(scope),
        {
          ...(filter.kind ? { kind: filter.kind } : {}),
          ...(filter.text
            ? {
                OR: [
                  { name: { contains: filter.text, mode: 'insensitive' as const } },
                  { packageName: { contains: filter.text, mode: 'insensitive' as const } },
                ],
              }
            : {}),
        },
      ],
    };
    const [rows, total] = await Promise.all([
      db.artifact.findMany({ where, orderBy: { createdAt: 'desc' }, skip: page.skip, take: page.take }),
      db.artifact.count({ where }),
    ]);
    return { rows, total };
  }

  find(scope: AccessScope, id: string, db: Db = this.prisma): Promise<Artifact | null> {
    return db.artifact.findFirst({ where: { id, ...artifactsInScope(scope) } });
  }

  async delete(scope: AccessScope, id: string, db: Db = this.prisma): Promise<void> {
    await db.artifact.delete({ where: { id, AND: artifactsInScope(scope) } });
  }
}
