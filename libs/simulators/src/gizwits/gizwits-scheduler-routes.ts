import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GizwitsApplication } from './gizwits-application';
import { GizwitsError, gizwitsError } from './gizwits-errors';
import type { GizwitsSchedulers } from './gizwits-schedulers';
import type { Body, GizwitsScheduler, GizwitsState } from './gizwits-state';

/** The user's schedulers: create, list, delete, and the last run's log. */
export function registerSchedulerRoutes(
  app: FastifyInstance,
  state: GizwitsState,
  application: GizwitsApplication,
  schedulers: GizwitsSchedulers,
): void {
  const ownScheduler = (request: FastifyRequest, reply: FastifyReply): GizwitsScheduler | undefined => {
    const user = application.user(request, reply);
    if (!user) return undefined;
    const scheduler = state.schedulers.get((request.params as { id: string }).id);
    if (!scheduler || scheduler.uid !== user.uid) {
      void gizwitsError(reply, GizwitsError.SchedulerNotFound, 'no scheduler of this user has this id', 404);
      return undefined;
    }
    return scheduler;
  };

  app.post('/app/scheduler', async (request, reply) => {
    const user = application.user(request, reply);
    return user && schedulers.create(user, (request.body ?? {}) as Body, reply);
  });
  app.get('/app/scheduler', async (request, reply) => {
    const user = application.user(request, reply);
    if (!user) return;
    const query = request.query as { limit?: string; skip?: string };
    const limit = Number(query.limit ?? 20);
    const skip = Number(query.skip ?? 0);
    return [...state.schedulers.values()]
      .filter((scheduler) => scheduler.uid === user.uid)
      .slice(skip, skip + limit)
      .map(({ uid: _uid, lastLog: _log, ...scheduler }) => scheduler);
  });
  app.delete('/app/scheduler/:id', async (request, reply) => {
    const scheduler = ownScheduler(request, reply);
    if (!scheduler) return;
    state.schedulers.delete(scheduler.id);
    return {};
  });
  app.get('/app/scheduler/:id/logs', async (request, reply) => {
    const scheduler = ownScheduler(request, reply);
    if (!scheduler) return;
    // Not run yet: the document shows only a run's log, so there is nothing in it to give.
    if (!scheduler.lastLog) return {};
    const { attempts: _attempts, ...log } = scheduler.lastLog;
    return log;
  });
}
