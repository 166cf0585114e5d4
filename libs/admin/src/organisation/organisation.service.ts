import { Injectable } from '@nestjs/common';
import { ConflictError, NotFoundError, RuleViolationError } from '@fleetgate/domain';
import {
  type DepartmentRecord,
  DepartmentRepository,
  type Principal,
  UserAccessService,
  UserRepository,
} from '@fleetgate/auth';
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
import { GradeRepository } from './grade.repository';
import { PostRepository } from './post.repository';

function toDepartmentDto(row: DepartmentRecord): DepartmentDto {
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
    private readonly departments: DepartmentRepository,
    private readonly users: UserRepository,
    private readonly posts: PostRepository,
    private readonly grades: GradeRepository,
    private readonly access: UserAccessService,
    private readonly reach: AdminReach,
  ) {}

  async departmentTree(): Promise<DepartmentNodeDto[]> {
    const rows = await this.departments.all();
    return nestByParent(rows.map((row) => ({ ...toDepartmentDto(row), children: [] as DepartmentNodeDto[] })));
  }

  async createDepartment(input: CreateDepartmentDto, caller: Principal): Promise<DepartmentDto> {
    this.reach.assertDepartmentWithin(await this.reach.of(caller), input.parentId ?? null, 'parentId');
    await this.checkDepartmentLinks(undefined, input);
    const id = await this.departments.create(input);
    await this.access.refresh();
    return this.department(id);
  }

  async updateDepartment(id: string, input: UpdateDepartmentDto, caller: Principal): Promise<DepartmentDto> {
    await this.department(id);
    const reach = await this.reach.of(caller);
    this.reach.assertDepartmentWithin(reach, id, 'id');
    if (input.parentId !== undefined) this.reach.assertDepartmentWithin(reach, input.parentId, 'parentId');
    await this.checkDepartmentLinks(id, input);
    await this.departments.update(id, input);
    // Moving a department changes who sees what under department-tree scopes.
    if (input.parentId !== undefined) await this.access.refresh();
    return this.department(id);
  }

  async removeDepartment(id: string, caller: Principal): Promise<void> {
    const department = await this.departments.findWithUse(id);
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
    await this.departments.delete(id);
    await this.access.refresh();
  }

  async listPosts(query: NamedQueryDto): Promise<Paged<PostDto>> {
    const [rows, total] = await Promise.all([
      this.posts.page(query.name, query.skip, query.pageSize),
      this.posts.count(query.name),
    ]);
    return paged(rows.map(withUserCount), total, query);
  }

  async createPost(input: CreatePostDto): Promise<PostDto> {
    return withUserCount(await this.posts.create(input));
  }

  async updatePost(id: string, input: UpdatePostDto): Promise<PostDto> {
    await this.existing('post', id);
    return withUserCount(await this.posts.update(id, input));
  }

  async removePost(id: string): Promise<void> {
    const holders = await this.posts.holderCount(id);
    if (holders) {
      throw new ConflictError('The post is still held', [{ field: 'users', problem: `${holders} user(s) hold it` }]);
    }
    await this.existing('post', id);
    await this.posts.delete(id);
  }

  async listGrades(query: NamedQueryDto): Promise<Paged<GradeDto>> {
    const [rows, total] = await Promise.all([
      this.grades.page(query.name, query.skip, query.pageSize),
      this.grades.count(query.name),
    ]);
    return paged(rows.map(withUserCount), total, query);
  }

  async createGrade(input: CreateGradeDto): Promise<GradeDto> {
    return withUserCount(await this.grades.create(input));
  }

  async updateGrade(id: string, input: UpdateGradeDto): Promise<GradeDto> {
    await this.existing('grade', id);
    return withUserCount(await this.grades.update(id, input));
  }

  async removeGrade(id: string): Promise<void> {
    const holders = await this.users.countWithGrade(id);
    if (holders) {
      throw new ConflictError('The grade is still in use', [{ field: 'users', problem: `${holders} user(s) have it` }]);
    }
    await this.existing('grade', id);
    await this.grades.delete(id);
  }

  private async department(id: string): Promise<DepartmentDto> {
    const row = await this.departments.find(id);
    if (!row) throw new NotFoundError('Department', id);
    return toDepartmentDto(row);
  }

  /** The parent and manager must exist, and a department may not move below itself. */
  private async checkDepartmentLinks(id: string | undefined, input: UpdateDepartmentDto): Promise<void> {
    if (input.parentId) {
      if (!(await this.departments.exists(input.parentId))) {
        throw new RuleViolationError('The parent department does not exist', [
          { field: 'parentId', problem: 'no such department' },
        ]);
      }
      if (id) {
        const below = await this.departments.subtreeIds(id);
        if (below.includes(input.parentId)) {
          throw new RuleViolationError('A department cannot sit below itself', [
            { field: 'parentId', problem: 'is this department or one below it' },
          ]);
        }
      }
    }
    if (input.managerId && !(await this.users.exists(input.managerId))) {
      throw new RuleViolationError('The manager does not exist', [{ field: 'managerId', problem: 'no such user' }]);
    }
  }

  private async existing(kind: 'post' | 'grade', id: string): Promise<void> {
    const found = kind === 'post' ? await this.posts.exists(id) : await this.grades.exists(id);
    if (!found) throw new NotFoundError(kind === 'post' ? 'Post' : 'Grade', id);
  }
}
