import { Injectable, Logger, type OnApplicationBootstrap, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { AUTH_METADATA, type AuthRequirement } from '@fleetgate/auth';
import { ResourceRepository } from './resource.repository';

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
    private readonly resources: ResourceRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const routes = this.discover();
    // Several gateways may start at once; each statement of the sync is safe to run concurrently.
    await this.resources.syncRoutes(routes);
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
