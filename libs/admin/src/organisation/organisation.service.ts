import { Injectable } from '@nestjs/common';
import { ConflictError, NotFoundError, RuleViolationError } from '@fleetgate/domain';
import { departmentSubtreeIds, type Principal, UserAccessService } from '@fleetgate/auth';
import { type Prisma, PrismaService } from '@fleetgate/persistence';
import { paged, type Paged } from '@fleetgate/platform';
import type {
  CreateDepartmentDto,
  CreateGradeDto,
  CreatePostDto,
  DepartmentDto,
  DepartmentNodeDto,
  GradeDto,
  NamedQueryDto,
  PostDto,
  UpdateDepartmentDto,
  UpdateGradeDto,
  UpdatePostDto,
} from './organisation.dto';
import { AdminReach } from '../admin-reach.service';
import { nestByParent } from '../nest-by-parent';

/** Departments are shown with their manager's name and how many users they hold. */
const DEPARTMENT_INCLUDE = {
  manager: { select: { name: true } },
  _count: { select: { members: true } },
} satisfies Prisma.DepartmentInclude;

function toDepartmentDto(row: Prisma.DepartmentGetPayload<{ include: typeof DEPARTMENT_INCLUDE }>): DepartmentDto {
  return {
    id: row.id,
    name: row.name,
    parentId: row.parentId,
    managerId: row.managerId,
    managerName: row.manager?.name ?? null,
    sort: row.sort,
    memberCount: row._count.members,
    createdAt: row.createdAt,
  };
}

/** Posts and grades are shown with how many users hold them. */
const WITH_USER_COUNT = { _count: { select: { users: true } } } as const;

function withUserCount<T extends { _count: { users: number } }>({
  _count,
  ...row
}: T): Omit<T, '_count'> & { userCount: number } {
  return { ...row, userCount: _count.users };
}

/**
 * The organisation users belong to: the department tree (which data scopes follow), posts and grades.
 * Nothing still in use is deleted: a department with children or members, a post or grade someone holds.
 * A caller changes only departments within its data scope and places them only there (AdminReach), so
 * nobody pulls a department into their own tree or moves their own tree elsewhere.
 */
@Injectable()
export class OrganisationService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly access: UserAccessService,
    private readonly reach: AdminReach,
  ) {}

  async departmentTree(): Promise<DepartmentNodeDto[]> {
    const rows = await this.prisma.department.findMany({
      orderBy: [{ sort: 'asc' }, { name: 'asc' }],
      include: DEPARTMENT_INCLUDE,
    });
    return nestByParent(rows.map((row) => ({ ...toDepartmentDto(row), children: [] as DepartmentNodeDto[] })));
  }

  async createDepartment(input: CreateDepartmentDto, caller: Principal): Promise<DepartmentDto> {
    this.reach.assertDepartmentWithin(await this.reach.of(caller), input.parentId ?? null, 'parentId');
    await this.checkDepartmentLinks(undefined, input);
    const row = await this.prisma.department.create({
      data: { name: input.name, parentId: input.parentId, managerId: input.managerId, sort: input.sort },
    });
    await this.access.refresh();
    return this.department(row.id);
  }

  async updateDepartment(id: string, input: UpdateDepartmentDto, caller: Principal): Promise<DepartmentDto> {
    await this.department(id);
    const reach = await this.reach.of(caller);
    this.reach.assertDepartmentWithin(reach, id, 'id');
    if (input.parentId !== undefined) this.reach.assertDepartmentWithin(reach, input.parentId, 'parentId');
    await this.checkDepartmentLinks(id, input);
    await this.prisma.department.update({
      where: { id },
      data: { name: input.name, parentId: input.parentId, managerId: input.managerId, sort: input.sort },
    });
    // Moving a department changes who sees what under department-tree scopes.
    if (input.parentId !== undefined) await this.access.refresh();
    return this.department(id);
  }

  async removeDepartment(id: string, caller: Principal): Promise<void> {
    const department = await this.prisma.department.findUnique({
      where: { id },
      include: { _count: { select: { children: true, members: true } } },
    });
    if (!department) throw new NotFoundError('Department', id);
    this.reach.assertDepartmentWithin(await this.reach.of(caller), id, 'id');
    const problems = [
      ...(department._count.children
        ? [{ field: 'children', problem: `${department._count.children} department(s) sit below it` }]
        : []),
      ...(department._count.members
        ? [{ field: 'members', problem: `${department._count.members} user(s) belong to it` }]
        : []),
    ];
    if (problems.length) throw new ConflictError(`Department ${department.name} is still in use`, problems);
    await this.prisma.department.delete({ where: { id } });
    await this.access.refresh();
  }

  async listPosts(query: NamedQueryDto): Promise<Paged<PostDto>> {
    const where = query.name
      ? {
          OR: [
            { name: { contains: query.name, mode: 'insensitive' as const } },
            { code: { contains: query.name, mode: 'insensitive' as const } },
          ],
        }
      : {};
    const [rows, total] = await Promise.all([
      this.prisma.post.findMany({
        where,
        orderBy: [{ sort: 'asc' }, { code: 'asc' }],
        skip: query.skip,
        take: query.pageSize,
        include: WITH_USER_COUNT,
      }),
      this.prisma.post.count({ where }),
    ]);
    return paged(rows.map(withUserCount), total, query);
  }

  async createPost(input: CreatePostDto): Promise<PostDto> {
    return withUserCount(await this.prisma.post.create({ data: input, include: WITH_USER_COUNT }));
  }

  async updatePost(id: string, input: UpdatePostDto): Promise<PostDto> {
    await this.existing('post', id);
    return withUserCount(await this.prisma.post.update({ where: { id }, data: input, include: WITH_USER_COUNT }));
  }

  async removePost(id: string): Promise<void> {
    const holders = await this.prisma.userPost.count({ where: { postId: id } });
    if (holders) {
      throw new ConflictError('The post is still held', [{ field: 'users', problem: `${holders} user(s) hold it` }]);
    }
    await this.existing('post', id);
    await this.prisma.post.delete({ where: { id } });
  }

  async listGrades(query: NamedQueryDto): Promise<Paged<GradeDto>> {
    const where = query.name ? { name: { contains: query.name, mode: 'insensitive' as const } } : {};
    const [rows, total] = await Promise.all([
      this.prisma.grade.findMany({
        where,
        orderBy: [{ level: 'asc' }, { name: 'asc' }],
        skip: query.skip,
        take: query.pageSize,
        include: WITH_USER_COUNT,
      }),
      this.prisma.grade.count({ where }),
    ]);
    return paged(rows.map(withUserCount), total, query);
  }

  async createGrade(input: CreateGradeDto): Promise<GradeDto> {
    return withUserCount(await this.prisma.grade.create({ data: input, include: WITH_USER_COUNT }));
  }

  async updateGrade(id: string, input: UpdateGradeDto): Promise<GradeDto> {
    await this.existing('grade', id);
    return withUserCount(await this.prisma.grade.update({ where: { id }, data: input, include: WITH_USER_COUNT }));
  }

  async removeGrade(id: string): Promise<void> {
    const holders = await this.prisma.user.count({ where: { gradeId: id } });
    if (holders) {
      throw new ConflictError('The grade is still in use', [{ field: 'users', problem: `${holders} user(s) have it` }]);
    }
    await this.existing('grade', id);
    await this.prisma.grade.delete({ where: { id } });
  }

  private async department(id: string): Promise<DepartmentDto> {
    const row = await this.prisma.department.findUnique({ where: { id }, include: DEPARTMENT_INCLUDE });
    if (!row) throw new NotFoundError('Department', id);
    return toDepartmentDto(row);
  }

  /** The parent and manager must exist, and a department may not move below itself. */
  private async checkDepartmentLinks(id: string | undefined, input: UpdateDepartmentDto): Promise<void> {
    if (input.parentId) {
      if (!(await this.prisma.department.findUnique({ where: { id: input.parentId }, select: { id: true } }))) {
        throw new RuleViolationError('The parent department does not exist', [
          { field: 'parentId', problem: 'no such department' },
        ]);
      }
      if (id) {
        const below = await departmentSubtreeIds(this.prisma, id);
        if (below.includes(input.parentId)) {
          throw new RuleViolationError('A department cannot sit below itself', [
            { field: 'parentId', problem: 'is this department or one below it' },
          ]);
        }
      }
    }
    if (
      input.managerId &&
      !(await this.prisma.user.findUnique({ where: { id: input.managerId }, select: { id: true } }))
    ) {
      throw new RuleViolationError('The manager does not exist', [{ field: 'managerId', problem: 'no such user' }]);
    }
  }

  private async existing(kind: 'post' | 'grade', id: string): Promise<void> {
    const found =
      kind === 'post'
        ? await this.prisma.post.findUnique({ where: { id }, select: { id: true } })
        : await this.prisma.grade.findUnique({ where: { id }, select: { id: true } });
    if (!found) throw new NotFoundError(kind === 'post' ? 'Post' : 'Grade', id);
  }
}
