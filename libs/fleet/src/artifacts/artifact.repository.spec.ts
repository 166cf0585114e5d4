import type { PrismaService } from '@fleetgate/persistence';
import { type AccessScope, callerScope } from '../scope/access-scope';
import { ArtifactRepository } from './artifact.repository';

/** Never called: it only has to compile. Each line is an artifact statement without its scope. */
export function artifactStatementsWithoutScope(artifacts: ArtifactRepository, system: AccessScope): void {
  // @ts-expect-error an artifact list needs a scope
  void artifacts.list({}, { skip: 0, take: 10 });
  // @ts-expect-error an artifact read needs a scope
  void artifacts.find('id');
  // @ts-expect-error removing an artifact needs a scope
  void artifacts.delete('id');
  // @ts-expect-error an artifact belongs to the caller who adds it: the system adds none
  void artifacts.create(system, { kind: 'app', name: 'n', fileName: 'n.apk' });
}

describe('ArtifactRepository', () => {
  it("adds an artifact as the caller's and their department's, and reads it back only within the scope", async () => {
    const calls: Array<{ where?: unknown; data?: unknown }> = [];
    const record = async (args: { where?: unknown; data?: unknown }) => {
      calls.push(args);
      return null;
    };
    const artifacts = new ArtifactRepository({
      artifact: { create: record, findFirst: record },
    } as unknown as PrismaService);
    const scope = callerScope({
      userId: 'u1',
      departmentId: 'd1',
      scope: { kind: 'departments', departmentIds: ['d1'], userId: 'u1' },
    });
    await artifacts.create(scope, { kind: 'file', name: 'n', fileName: 'n.txt' });
    await artifacts.find(scope, 'id');
    expect(calls).toEqual([
      { data: { kind: 'file', name: 'n', fileName: 'n.txt', createdById: 'u1', departmentId: 'd1' } },
      { where: { id: 'id', OR: [{ departmentId: { in: ['d1'] } }, { createdById: 'u1' }] } },
    ]);
  });

  it("keeps a search within the caller's scope: the search's OR does not replace the scope's", async () => {
    const wheres: unknown[] = [];
    const artifacts = new ArtifactRepository({
      artifact: {
        findMany: async ({ where }: { where: unknown }) => (wheres.push(where), []),
        count: async () => 0,
      },
    } as unknown as PrismaService);
    const scope = callerScope({
      userId: 'u1',
      departmentId: 'd1',
      scope: { kind: 'departments', departmentIds: ['d1'], userId: 'u1' },
    });
    await artifacts.list(scope, { kind: 'app', text: 'shop' }, { skip: 0, take: 10 });
    expect(wheres).toEqual([
      {
        AND: [
          { OR: [{ departmentId: { in: ['d1'] } }, { createdById: 'u1' }] },
          {
            kind: 'app',
            OR: [
              { name: { contains: 'shop', mode: 'insensitive' } },
              { packageName: { contains: 'shop', mode: 'insensitive' } },
            ],
          },
        ],
      },
    ]);
  });
});
