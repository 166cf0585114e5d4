import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentPrincipal, Permission, type Principal } from '@fleetgate/auth';
import { ApiErrorResponses, PagedDto, type Paged, UuidParamPipe } from '@fleetgate/platform';
import {
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
import { OrganisationService } from './organisation.service';

@ApiTags('admin: organisation')
@Controller('admin')
export class OrganisationController {
  constructor(private readonly organisation: OrganisationService) {}

  /** The department tree, with managers and member counts. */
  @Get('departments')
  @Authenticated({ permission: Permission.DepartmentsRead })
  @ApiOkResponse({ type: [DepartmentNodeDto] })
  departments(): Promise<DepartmentNodeDto[]> {
    return this.organisation.departmentTree();
  }

  @Post('departments')
  @Authenticated({ permission: Permission.DepartmentsManage })
  @ApiErrorResponses(400, 409, 422)
  createDepartment(@Body() body: CreateDepartmentDto, @CurrentPrincipal() caller: Principal): Promise<DepartmentDto> {
    return this.organisation.createDepartment(body, caller);
  }

  @Patch('departments/:id')
  @Authenticated({ permission: Permission.DepartmentsManage })
  @ApiErrorResponses(400, 404, 409, 422)
  updateDepartment(
    @Param('id', new UuidParamPipe()) id: string,
    @Body() body: UpdateDepartmentDto,
    @CurrentPrincipal() caller: Principal,
  ): Promise<DepartmentDto> {
    return this.organisation.updateDepartment(id, body, caller);
  }

  /** Refused while departments sit below it or users belong to it. */
  @Delete('departments/:id')
  @HttpCode(204)
  @Authenticated({ permission: Permission.DepartmentsManage })
  @ApiErrorResponses(404, 409)
  async removeDepartment(
    @Param('id', new UuidParamPipe()) id: string,
    @CurrentPrincipal() caller: Principal,
  ): Promise<void> {
    await this.organisation.removeDepartment(id, caller);
  }

  @Get('posts')
  @Authenticated({ permission: Permission.PostsRead })
  @ApiOkResponse({ type: PagedDto(PostDto) })
  @ApiErrorResponses(400)
  posts(@Query() query: NamedQueryDto): Promise<Paged<PostDto>> {
    return this.organisation.listPosts(query);
  }

  @Post('posts')
  @Authenticated({ permission: Permission.PostsManage })
  @ApiErrorResponses(400, 409)
  createPost(@Body() body: CreatePostDto): Promise<PostDto> {
    return this.organisation.createPost(body);
  }

  @Patch('posts/:id')
  @Authenticated({ permission: Permission.PostsManage })
  @ApiErrorResponses(400, 404, 409)
  updatePost(@Param('id', new UuidParamPipe()) id: string, @Body() body: UpdatePostDto): Promise<PostDto> {
    return this.organisation.updatePost(id, body);
  }

  /** Refused while users hold the post. */
  @Delete('posts/:id')
  @HttpCode(204)
  @Authenticated({ permission: Permission.PostsManage })
  @ApiErrorResponses(404, 409)
  async removePost(@Param('id', new UuidParamPipe()) id: string): Promise<void> {
    await this.organisation.removePost(id);
  }

  @Get('grades')
  @Authenticated({ permission: Permission.GradesRead })
  @ApiOkResponse({ type: PagedDto(GradeDto) })
  @ApiErrorResponses(400)
  grades(@Query() query: NamedQueryDto): Promise<Paged<GradeDto>> {
    return this.organisation.listGrades(query);
  }

  @Post('grades')
  @Authenticated({ permission: Permission.GradesManage })
  @ApiErrorResponses(400, 409)
  createGrade(@Body() body: CreateGradeDto): Promise<GradeDto> {
    return this.organisation.createGrade(body);
  }

  @Patch('grades/:id')
  @Authenticated({ permission: Permission.GradesManage })
  @ApiErrorResponses(400, 404, 409)
  updateGrade(@Param('id', new UuidParamPipe()) id: string, @Body() body: UpdateGradeDto): Promise<GradeDto> {
    return this.organisation.updateGrade(id, body);
  }

  /** Refused while users have the grade. */
  @Delete('grades/:id')
  @HttpCode(204)
  @Authenticated({ permission: Permission.GradesManage })
  @ApiErrorResponses(404, 409)
  async removeGrade(@Param('id', new UuidParamPipe()) id: string): Promise<void> {
    await this.organisation.removeGrade(id);
  }
}
