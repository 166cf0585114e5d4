import { Injectable } from '@nestjs/common';
import { type Db, type Prisma, PrismaService, type Resource } from '@fleetgate/persistence';

/** Which resources a list shows; every field given narrows it. */
export interface ResourceFilter {
  permission?: string;
  method?: string;
  /** Part of the path or name, any case. */
  text?: string;
}

/** A route as the code declares it. */
export interface RouteRecord {
  method: string;
  path: string;
  permission?: string;
  name: string;
}

/** The API's routes as resources (`resources`), each with the permission it needs. */
@Injectable()
export class ResourceRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Brings the table in step with the routes in one transaction: new routes added, known ones updated
   * and active, the rest inactive. Each statement is safe to run while another gateway runs it too.
   */
  async syncRoutes(routes: RouteRecord[]): Promise<void> {
    await this.prisma.$transaction([
      this.prisma.resource.createMany({
        data: routes.map((route) => ({ ...route, permission: route.permission ?? null })),
        skipDuplicates: true,
      }),
      ...routes.map((route) =>
        this.prisma.resource.updateMany({
          where: { method: route.method, path: route.path },
          data: { permission: route.permission ?? null, active: true },
        }),
      ),
      this.prisma.resource.updateMany({
        where: { NOT: { OR: routes.map((route) => ({ method: route.method, path: route.path })) } },
        data: { active: false },
      }),
    ]);
  }

  /** Active routes that need a permission, by path and method. */
  grantable(db: Db = this.prisma): Promise<Resource[]> {
    return db.resource.findMany({
      where: { active: true, permission: { not: null } },
      orderBy: [{ path: 'asc' }, { method: 'asc' }],
    });
  }

  page(filter: ResourceFilter, skip: number, take: number, db: Db = this.prisma): Promise<Resource[]> {
    return db.resource.findMany({
      where: resourceWhere(filter),
      orderBy: [{ path: 'asc' }, { method: 'asc' }],
      skip,
      take,
    });
  }

  count(filter: ResourceFilter, db: Db = this.prisma): Promise<number> {
    return db.resource.count({ where: resourceWhere(filter) });
  }

  async exists(id: string, db: Db = this.prisma): Promise<boolean> {
    return (await db.resource.findUnique({ where: { id }, select: { id: true } })) !== null;
  }

  update(id: string, fields: { name?: string; description?: string }, db: Db = this.prisma): Promise<Resource> {
    return db.resource.update({ where: { id }, data: fields });
  }
}

function resourceWhere(filter: ResourceFilter): Prisma.ResourceWhereInput {
  return {
    ...(filter.permission ? { permission: filter.permission } : {}),
    ...(filter.method ? { method: filter.method } : {}),
    ...(filter.text
      ? {
          OR: [
            { path: { contains: filter.text, mode: 'insensitive' } },
            { name: { contains: filter.text, mode: 'insensitive' } },
          ],
        }
      : {}),
  };
}
