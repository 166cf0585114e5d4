import { ForbiddenError } from '@fleetgate/domain';
import { type AccessScope, callerScope, systemScope } from '@fleetgate/fleet';
import type { PrismaService } from '@fleetgate/persistence';
import type { JobRunRepository } from './job-run.repository';
import { ScheduledJobRepository } from './scheduled-job.repository';

/**
 * Never called: it only has to compile. Each line is a query of jobs or runs without its scope, or a
 * run recorded for a user, and each must be a type error (ts-jest and `npm run lint` type-check it).
 */
export function callsWithoutScope(jobs: ScheduledJobRepository, runs: JobRunRepository, caller: AccessScope): void {
  // @ts-expect-error a job query needs a scope
  void jobs.find('id');
  // @ts-expect-error a job change needs a scope
  void jobs.update('id', { enabled: false });
  // @ts-expect-error a job list needs a scope
  void jobs.page({}, { skip: 0, take: 10 });
  // @ts-expect-error undefined is no scope
  void jobs.delete(undefined, 'id');
  // @ts-expect-error a run query needs a scope
  void runs.findWithJob('id');
  // @ts-expect-error a run list needs a scope
  void runs.page({}, { skip: 0, take: 10 });
  // @ts-expect-error cleaning runs needs a scope
  void runs.deleteEndedBeyondLatest(5);
  // @ts-expect-error runs are recorded by the system only, never for a caller
  void runs.create(caller, { jobId: 'id', scheduledFor: new Date(), trigger: 'manual' });
}

describe('ScheduledJobRepository', () => {
  const created: unknown[] = [];
  const prisma = {
    scheduledJob: {
      create: async ({ data }: { data: unknown }) => {
        created.push(data);
        return data;
      },
    },
  } as unknown as PrismaService;
  const jobs = new ScheduledJobRepository(prisma);
  const job = { name: 'nightly', scheduleKind: 'cron', action: {} };
  const own = callerScope({ userId: 'u1', departmentId: 'd1', scope: { kind: 'own', userId: 'u1' } });

  beforeEach(() => {
    created.length = 0;
  });

  it('creates a job that belongs within the scope', async () => {
    await jobs.create(own, { ...job, createdById: 'u1', departmentId: 'd1' });
    await jobs.create(systemScope('vendor import'), job);
    expect(created).toHaveLength(2);
  });

  it('refuses a job that would belong to someone outside the scope', async () => {
    await expect(jobs.create(own, { ...job, createdById: 'u2', departmentId: 'd2' })).rejects.toThrow(ForbiddenError);
    await expect(jobs.create(own, job)).rejects.toThrow(ForbiddenError);
    expect(created).toHaveLength(0);
  });
});
