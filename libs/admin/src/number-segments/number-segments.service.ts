import { Injectable } from '@nestjs/common';
import { ConflictError, NotFoundError } from '@fleetgate/domain';
import { Prisma, PrismaService, type NumberSegment } from '@fleetgate/persistence';
import { paged, type Paged } from '@fleetgate/platform';
import type {
  CreateNumberSegmentDto,
  NumberSegmentDto,
  NumberSegmentQueryDto,
  UpdateNumberSegmentDto,
} from './number-segment.dto';

/** Tags the code takes numbers from: deleting one would start it again at 1 and repeat numbers. */
const TAGS_IN_USE = ['task'];

/** Number segments as the back office edits them; NumberSegmentAllocator takes the numbers. */
@Injectable()
export class NumberSegmentsService {
  constructor(private readonly prisma: PrismaService) {}

  async list(query: NumberSegmentQueryDto): Promise<Paged<NumberSegmentDto>> {
    const where: Prisma.NumberSegmentWhereInput = query.bizTag
      ? { bizTag: { contains: query.bizTag, mode: 'insensitive' } }
      : {};
    const [rows, total] = await Promise.all([
      this.prisma.numberSegment.findMany({ where, orderBy: { bizTag: 'asc' }, skip: query.skip, take: query.pageSize }),
      this.prisma.numberSegment.count({ where }),
    ]);
    return paged(rows.map(toDto), total, query);
  }

  async get(bizTag: string): Promise<NumberSegmentDto> {
    return toDto(await this.row(bizTag));
  }

  async create(input: CreateNumberSegmentDto): Promise<NumberSegmentDto> {
    const row = await this.prisma.numberSegment.create({
      data: {
        bizTag: input.bizTag,
        maxId: BigInt(input.maxId ?? 0),
        step: input.step,
        description: input.description ?? '',
      },
    });
    return toDto(row);
  }

  async update(bizTag: string, input: UpdateNumberSegmentDto): Promise<NumberSegmentDto> {
    const maxId = input.maxId === undefined ? undefined : BigInt(input.maxId);
    // The condition sits in the update itself: an instance may take a range between a read and a write.
    const { count } = await this.prisma.numberSegment.updateMany({
      where: { bizTag, ...(maxId === undefined ? {} : { maxId: { lte: maxId } }) },
      data: { maxId, step: input.step, description: input.description },
    });
    if (!count) {
      const current = await this.row(bizTag);
      throw new ConflictError(`maxId of ${bizTag} may only grow: numbers up to ${current.maxId} are handed out`, [
        { field: 'maxId', problem: `must be at least ${current.maxId}` },
      ]);
    }
    return this.get(bizTag);
  }

  async remove(bizTag: string): Promise<void> {
    if (TAGS_IN_USE.includes(bizTag)) {
      throw new ConflictError(`The number segment ${bizTag} is in use; deleting it would repeat numbers`, [
        { field: 'bizTag', problem: 'is in use' },
      ]);
    }
    const { count } = await this.prisma.numberSegment.deleteMany({ where: { bizTag } });
    if (!count) throw new NotFoundError('Number segment', bizTag);
  }

  private async row(bizTag: string): Promise<NumberSegment> {
    const row = await this.prisma.numberSegment.findUnique({ where: { bizTag } });
    if (!row) throw new NotFoundError('Number segment', bizTag);
    return row;
  }
}

function toDto(row: NumberSegment): NumberSegmentDto {
  return {
    bizTag: row.bizTag,
    maxId: row.maxId.toString(),
    step: row.step,
    description: row.description,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
