import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Random, SimulatorContext, VendorErrorReply, VendorSimulator } from '../kit';
import { GizwitsApplication } from './gizwits-application';
import { registerControlRoutes } from './gizwits-control-routes';
import { registerDeviceRoutes } from './gizwits-device-routes';
import { GizwitsError, gizwitsError, gizwitsErrorBody } from './gizwits-errors';
import { registerSchedulerRoutes } from './gizwits-scheduler-routes';
import { GizwitsSchedulers } from './gizwits-schedulers';
import { GizwitsState } from './gizwits-state';
import { registerUserRoutes } from './gizwits-user-routes';

/** The application and user the simulator accepts out of the box. */
export const GIZWITS_DEMO_CREDENTIALS = {
  appId: 'fleetgatedemoappid0000000000001',
  appSecret: 'fleetgate-gizwits-demo-secret',
  username: 'fleetgate',
  password: 'fleetgate-demo',
} as const;

/** A week, as Gizwits gives. */
export const GIZWITS_DEFAULT_TOKEN_TTL_SECONDS = 604_800;

/** The Gizwits simulator's application and demo user; anything left out is the demo value. */
export interface GizwitsSimulatorOptions {
  appId?: string;
  appSecret?: string;
  username?: string;
  password?: string;
  /** The lifetime of user tokens, in seconds at time scale 1. */
  tokenTtlSeconds?: number;
}

class GizwitsSimulator implements VendorSimulator {
  readonly vendor = 'gizwits' as const;
  private readonly demoUser: { username: string; password: string };
  private readonly state: GizwitsState;
  private readonly application: GizwitsApplication;
  private readonly schedulers: GizwitsSchedulers;

  constructor(
    private readonly context: SimulatorContext,
    options: GizwitsSimulatorOptions,
  ) {
    this.demoUser = {
      username: options.username ?? GIZWITS_DEMO_CREDENTIALS.username,
      password: options.password ?? GIZWITS_DEMO_CREDENTIALS.password,
    };
    this.state = new GizwitsState(context.fleetSize, context.random);
    this.application = new GizwitsApplication(
      options.appId ?? GIZWITS_DEMO_CREDENTIALS.appId,
      options.appSecret ?? GIZWITS_DEMO_CREDENTIALS.appSecret,
      options.tokenTtlSeconds ?? GIZWITS_DEFAULT_TOKEN_TTL_SECONDS,
      this.state,
      context.timeScale,
    );
    this.schedulers = new GizwitsSchedulers(this.state, context.timeScale);
    this.state.seed(this.demoUser);
  }

  /** Gizwits limits by application id, the header every /app call carries. */
  accountOf(request: FastifyRequest): string | undefined {
    const appId = request.headers['x-gizwits-application-id'];
    return typeof appId === 'string' ? appId : undefined;
  }

  register(app: FastifyInstance): void {
    // Every /app route needs the application id, and counts towards the application's quota.
    app.addHook('onRequest', async (request, reply) => {
      if (!request.url.startsWith('/app/')) return;
      const appId = request.headers['x-gizwits-application-id'];
      if (appId !== this.application.appId)
        return gizwitsError(reply, GizwitsError.AppIdInvalid, 'X-Gizwits-Application-Id is missing or invalid');
      if (this.application.overQuota()) {
        return reply
          .code(400)
          .header('retry-after', '1')
          .send(
            gizwitsErrorBody(
              GizwitsError.RequestThrottled,
              `more than ${this.application.quotaPerSecond} requests a second`,
            ),
          );
      }
    });

    registerUserRoutes(app, this.state, this.application, this.context.random);
    registerDeviceRoutes(app, this.state, this.application, this.context);
    registerSchedulerRoutes(app, this.state, this.application, this.schedulers);
    registerControlRoutes(app, this.state, this.application, this.schedulers);
  }

  vendorError(random: Random): VendorErrorReply {
    return random.chance(0.5)
      ? { status: 500, body: gizwitsErrorBody(GizwitsError.ServerError) }
      : { status: 400, body: gizwitsErrorBody(GizwitsError.RequestThrottled) };
  }

  reset(): void {
    this.schedulers.reset();
    this.state.seed(this.demoUser);
    this.application.reset();
  }

  close(): void {
    this.schedulers.close();
  }
}

export function createGizwitsSimulator(context: SimulatorContext, options: GizwitsSimulatorOptions = {}): VendorSimulator {
  return new GizwitsSimulator(context, options);
}
