import { Injectable } from '@nestjs/common';
import { ConflictError, NotFoundError } from '@fleetgate/domain';
import type { NumberSegment } from '@fleetgate/persistence';
import { paged, type Paged } from '@fleetgate/platform';
import type {
  CreateNumberSegmentDto,
  NumberSegmentDto,
  NumberSegmentQueryDto,
  UpdateNumberSegmentDto,
} from './number-segment.dto';
import { NumberSegmentRepository } from './number-segment.repository';

/** Tags the code takes numbers from: deleting one would start it again at 1 and repeat numbers. */
const TAGS_IN_USE = ['task'];

/** Number segments as the back office edits them; NumberSegmentAllocator takes the numbers. */
@Injectable()
export class NumberSegmentsService {
  constructor(private readonly segments: NumberSegmentRepository) {}

  async list(query: NumberSegmentQueryDto): Promise<Paged<NumberSegmentDto>> {
    const [rows, total] = await Promise.all([
      this.segments.page(query.bizTag, query.skip, query.pageSize),
      this.segments.count(query.bizTag),
    ]);
    return paged(rows.map(toDto), total, query);
  }

  async get(bizTag: string): Promise<NumberSegmentDto> {
    return toDto(await this.row(bizTag));
  }

  async create(input: CreateNumberSegmentDto): Promise<NumberSegmentDto> {
    const row = await this.segments.create({
      bizTag: input.bizTag,
      maxId: BigInt(input.maxId ?? 0),
      step: input.step,
      description: input.description ?? '',
    });
    return toDto(row);
  }

  async update(bizTag: string, input: UpdateNumberSegmentDto): Promise<NumberSegmentDto> {
    const maxId = input.maxId === undefined ? undefined : BigInt(input.maxId);
    if (!(await this.segments.update(bizTag, { maxId, step: input.step, description: input.description }))) {
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
    if (!(await this.segments.delete(bizTag))) throw new NotFoundError('Number segment', bizTag);
  }

  private async row(bizTag: string): Promise<NumberSegment> {
    const row = await this.segments.find(bizTag);
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
