import { Injectable } from '@nestjs/common';
import { type Db, type NumberSegment, type Prisma, PrismaService } from '@fleetgate/persistence';

/**
 * Number segments (`number_segments`) as the back office edits them. NumberSegmentAllocator
 * (@fleetgate/persistence) is the other writer: it alone takes ranges, moving `max_id` on.
 */
@Injectable()
export class NumberSegmentRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** A page of segments whose tag contains `text` (any without it), by tag. */
  page(text: string | undefined, skip: number, take: number, db: Db = this.prisma): Promise<NumberSegment[]> {
    return db.numberSegment.findMany({ where: segmentWhere(text), orderBy: { bizTag: 'asc' }, skip, take });
  }

  count(text: string | undefined, db: Db = this.prisma): Promise<number> {
    return db.numberSegment.count({ where: segmentWhere(text) });
  }

  find(bizTag: string, db: Db = this.prisma): Promise<NumberSegment | null> {
    return db.numberSegment.findUnique({ where: { bizTag } });
  }

  create(
    segment: { bizTag: string; maxId: bigint; step?: number; description: string },
    db: Db = this.prisma,
  ): Promise<NumberSegment> {
    return db.numberSegment.create({ data: segment });
  }

  /**
   * Updates the segment, moving `maxId` only forward: the condition sits in the update itself, since
   * an instance may take a range between a read and a write. Answers whether a row was updated.
   */
  async update(
    bizTag: string,
    fields: { maxId?: bigint; step?: number; description?: string },
    db: Db = this.prisma,
  ): Promise<boolean> {
    const { count } = await db.numberSegment.updateMany({
      where: { bizTag, ...(fields.maxId === undefined ? {} : { maxId: { lte: fields.maxId } }) },
      data: { maxId: fields.maxId, step: fields.step, description: fields.description },
    });
    return count > 0;
  }

  /** Answers whether there was such a segment. */
  async delete(bizTag: string, db: Db = this.prisma): Promise<boolean> {
    const { count } = await db.numberSegment.deleteMany({ where: { bizTag } });
    return count > 0;
  }
}

function segmentWhere(text: string | undefined): Prisma.NumberSegmentWhereInput {
  return text ? { bizTag: { contains: text, mode: 'insensitive' } } : {};
}
