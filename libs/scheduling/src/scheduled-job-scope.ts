import { type AccessScope, createdInScope } from '@fleetgate/fleet';
import { Prisma } from '@fleetgate/persistence';

/** Scheduled jobs are records a user creates: a scope reaches those of its departments and its user's. */
export function scheduledJobsInScope(scope: AccessScope): Prisma.ScheduledJobWhereInput {
  return createdInScope(scope);
}

/** A job's runs are seen with the job. */
export function jobRunsInScope(scope: AccessScope): Prisma.JobRunWhereInput {
  const jobs = scheduledJobsInScope(scope);
  return Object.keys(jobs).length ? { job: jobs } : {};
}

/** The runs a scope reaches, as a condition on `job_runs.job_id`, for the statements Prisma cannot write. */
export function jobRunsInScopeSql(scope: AccessScope): Prisma.Sql {
  if (scope.kind === 'system' || scope.data.kind === 'all') return Prisma.sql`TRUE`;
  if (scope.data.kind === 'own') {
    return Prisma.sql`job_id IN (SELECT id FROM scheduled_jobs WHERE created_by_id = ${scope.data.userId}::uuid)`;
  }
  return Prisma.sql`job_id IN (SELECT id FROM scheduled_jobs
    WHERE department_id = ANY(${scope.data.departmentIds}::uuid[]) OR created_by_id = ${scope.data.userId}::uuid)`;
}
