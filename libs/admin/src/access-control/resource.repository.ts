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
   * Brings the table in step with the routes in two statements whatever their number: an upsert of
   * every route (new ones added, known ones given their current permission and made active) and the
   * deactivation of the rest. Not a createMany and an updateMany per route: Prisma compiles a
   * createMany plan afresh every time, which took about half a second of every gateway's start. Each
   * statement is safe to run while another gateway runs it too.
   */
  async syncRoutes(routes: RouteRecord[]): Promise<void> {
    const methods = routes.map((route) => route.method);
    const paths = routes.map((route) => route.path);
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
