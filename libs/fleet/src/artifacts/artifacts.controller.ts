import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { InvalidInputError } from '@fleetgate/domain';
import { Authenticated, Permission, Public } from '@fleetgate/auth';
import { ApiErrorResponses, PagedDto, type Paged, UuidParamPipe } from '@fleetgate/platform';
import { ARTIFACT_KINDS, ArtifactDto, ArtifactQueryDto, type ArtifactKind, RegisterArtifactDto } from './artifact.dto';
import type { CallerScope } from '../scope/access-scope';
import { CurrentAccessScope } from '../scope/caller-scope.decorator';
import { ArtifactService } from './artifact.service';

@ApiTags('artifacts')
@Controller('artifacts')
export class ArtifactsController {
  constructor(private readonly artifacts: ArtifactService) {}

  /**
   * Uploads an app or file (multipart: the fields `kind`, `name`, optional `packageName`,
   * `versionName`, `versionCode`, then `file`). The gateway stores it and computes its MD5 and size.
   */
  @Post('upload')
  @Authenticated({ permission: Permission.DevicesManage })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['kind', 'name', 'file'],
      properties: {
        kind: { type: 'string', enum: [...ARTIFACT_KINDS] },
        name: { type: 'string' },
        packageName: { type: 'string' },
        versionName: { type: 'string' },
        versionCode: { type: 'integer' },
        file: { type: 'string', format: 'binary' },
      },
    },
  })
  @ApiErrorResponses(400)
  async upload(@Req() request: FastifyRequest, @CurrentAccessScope() scope: CallerScope): Promise<ArtifactDto> {
    if (!request.isMultipart()) {
      throw new InvalidInputError('Send the upload as multipart/form-data', [
        { field: 'body', problem: 'is not multipart' },
      ]);
    }
    const file = await request.file();
    if (!file) throw new InvalidInputError('No file in the upload', [{ field: 'file', problem: 'is required' }]);
    // Fields sent before the file are known once the file part begins.
    const field = (name: string): string | undefined => {
      const value = file.fields[name];
      return value && !Array.isArray(value) && value.type === 'field' ? String(value.value) : undefined;
    };
    const kind = field('kind');
    const name = field('name');
    const versionCode = field('versionCode');
    const problems = [
      ...(!kind || !(ARTIFACT_KINDS as readonly string[]).includes(kind)
        ? [{ field: 'kind', problem: 'must be app or file' }]
        : []),
      ...(!name ? [{ field: 'name', problem: 'is required' }] : []),
      ...(versionCode !== undefined && !/^\d+$/.test(versionCode)
        ? [{ field: 'versionCode', problem: 'must be an integer' }]
        : []),
    ];
    if (problems.length) {
      file.file.resume();
      throw new InvalidInputError('Invalid upload', problems);
    }
    return this.artifacts.upload(
      {
        kind: kind as ArtifactKind,
        name: name!,
        fileName: file.filename,
        stream: file.file,
        packageName: field('packageName'),
        versionName: field('versionName'),
        versionCode: versionCode === undefined ? undefined : Number(versionCode),
      },
      scope,
    );
  }

  /** Registers an app or file by its URL; vendors fetch it from there. */
  @Post()
  @Authenticated({ permission: Permission.DevicesManage })
  @ApiErrorResponses(400)
  register(@Body() body: RegisterArtifactDto, @CurrentAccessScope() scope: CallerScope): Promise<ArtifactDto> {
    return this.artifacts.register(body, scope);
  }

  @Get()
  @Authenticated({ permission: Permission.DevicesRead })
  @ApiOkResponse({ type: PagedDto(ArtifactDto) })
  @ApiErrorResponses(400)
  list(@Query() query: ArtifactQueryDto, @CurrentAccessScope() scope: CallerScope): Promise<Paged<ArtifactDto>> {
    return this.artifacts.list(query, scope);
  }

  @Get(':id')
  @Authenticated({ permission: Permission.DevicesRead })
  @ApiErrorResponses(404)
  get(@Param('id', new UuidParamPipe()) id: string, @CurrentAccessScope() scope: CallerScope): Promise<ArtifactDto> {
    return this.artifacts.get(id, scope);
  }

  @Delete(':id')
  @HttpCode(204)
  @Authenticated({ permission: Permission.DevicesManage })
  @ApiErrorResponses(404)
  async remove(@Param('id', new UuidParamPipe()) id: string, @CurrentAccessScope() scope: CallerScope): Promise<void> {
    await this.artifacts.remove(id, scope);
  }

  /** A stored upload, for vendors: open, but only through the signed, expiring link a task hands out. */
  @Get(':id/content')
  @Public()
  @ApiProduces('application/octet-stream')
  @ApiErrorResponses(403, 404)
  async content(
    @Param('id', new UuidParamPipe()) id: string,
    @Query('expires') expires: string,
    @Query('signature') signature: string,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { stream, artifact } = await this.artifacts.openSigned(id, Number(expires), signature);
    await reply
      .header('content-type', 'application/octet-stream')
      .header('content-disposition', `attachment; filename="${artifact.fileName.replace(/"/g, '')}"`)
      .send(stream);
  }
}
