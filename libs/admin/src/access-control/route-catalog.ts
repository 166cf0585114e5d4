import { Injectable, Logger, type OnApplicationBootstrap, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { AUTH_METADATA, type AuthRequirement } from '@fleetgate/auth';
import { PrismaService } from '@fleetgate/persistence';

export interface DiscoveredRoute {
  method: string;
  path: string;
  /** Absent for routes any signed-in caller may use; `public` routes are not resources at all. */
  permission?: string;
  name: string;
}

function joinPaths(...parts: Array<string | undefined>): string {
  const joined = parts
    .flatMap((part) => (part ?? '').split('/'))
    .filter(Boolean)
    .join('/');
  return `/${joined}`;
}

/**
 * The resources of the back office are the API's routes, read from the code at start, so that no
 * route is left out: each with the permission it needs. New routes are added, changed ones updated,
 * and routes gone from the code kept inactive (roles still list what they were granted).
 */
@Injectable()
export class RouteCatalog implements OnApplicationBootstrap {
  private readonly logger = new Logger(RouteCatalog.name);
  private routes?: DiscoveredRoute[];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly prisma: PrismaService,
  ) {}

  /**
   * Two statements whatever the number of routes: an upsert of every route (new ones added, existing
   * ones given their current permission and made active) and the deactivation of the rest. Not a
   * createMany and an updateMany per route: Prisma compiles a createMany plan (and a batch plan) afresh
   * every time, which took about half a second of every gateway's start.
   */
  async onApplicationBootstrap(): Promise<void> {
    const routes = this.discover();
    const methods = routes.map((route) => route.method);
    const paths = routes.map((route) => route.path);
    // Several gateways may start at once; each statement is safe to run concurrently.
    await this.prisma.$transaction([
      this.prisma.$executeRaw`
        INSERT INTO resources (id, method, path, permission, name, active, created_at, updated_at)
        SELECT gen_random_uuid(), r.method, r.path, r.permission, r.name, true, now(), now()
        FROM unnest(${methods}::text[], ${paths}::text[], ${routes.map((route) => route.permission ?? null)}::text[],
                    ${routes.map((route) => route.name)}::text[]) AS r(method, path, permission, name)
        ON CONFLICT (method, path) DO UPDATE SET permission = EXCLUDED.permission, active = true, updated_at = now()`,
      this.prisma.$executeRaw`
        UPDATE resources SET active = false, updated_at = now()
        WHERE active AND (method, path) NOT IN (SELECT * FROM unnest(${methods}::text[], ${paths}::text[]))`,
    ]);
    this.logger.debug({ routes: routes.length }, 'resources in step with the routes');
  }

  /** Every route that needs a signed-in caller, with the permission it needs. */
  discover(): DiscoveredRoute[] {
    if (this.routes) return this.routes;
    const routes: DiscoveredRoute[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | undefined;
      if (!controller || !wrapper.instance) continue;
      const prototype = Object.getPrototypeOf(wrapper.instance) as Record<string, unknown>;
      const basePaths = [this.reflector.get<string | string[]>(PATH_METADATA, controller)].flat();
      for (const methodName of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[methodName] as (...args: unknown[]) => unknown;
        const requestMethod = this.reflector.get<RequestMethod | undefined>(METHOD_METADATA, handler);
        if (requestMethod === undefined) continue;
        const requirement = this.reflector.getAllAndOverride<AuthRequirement | undefined>(AUTH_METADATA, [
          handler,
          controller,
        ]);
        if (requirement?.public) continue;
        const permission = requirement?.permission;
        for (const basePath of basePaths) {
          for (const path of [this.reflector.get<string | string[]>(PATH_METADATA, handler)].flat()) {
            routes.push({
              method: RequestMethod[requestMethod],
              path: joinPaths(basePath, path),
              permission,
              name: `${controller.name.replace(/Controller$/, '')}.${methodName}`,
            });
          }
        }
      }
    }
    this.routes = routes.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
    return this.routes;
  }
}
