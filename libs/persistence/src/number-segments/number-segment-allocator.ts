import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma.service';

/** The step of a business tag that is used before anyone configured it. */
export const DEFAULT_SEGMENT_STEP = 100;

/** Numbers this process holds for a tag: `next` up to `max`, both included. */
interface HeldRange {
  next: bigint;
  max: bigint;
}

/**
 * Readable numbers from number segments (号段, as in Meituan's Leaf): each process takes `step`
 * numbers of a business tag at a time with one atomic statement, then hands them out from memory.
 * Numbers are unique across every instance and increasing within one; instances interleave.
 */
@Injectable()
export class NumberSegmentAllocator {
  private readonly ranges = new Map<string, HeldRange>();
  /** The refill under way per tag: callers that find the range spent wait for it rather than fetch again. */
  private readonly refills = new Map<string, Promise<void>>();

  constructor(private readonly prisma: PrismaService) {}

  async next(bizTag: string): Promise<bigint> {
    for (;;) {
      const range = this.ranges.get(bizTag);
      if (range && range.next <= range.max) return range.next++;
      // Loop: a range of a small step may be spent by earlier waiters before this caller resumes.
      await this.refill(bizTag);
    }
  }

  private refill(bizTag: string): Promise<void> {
    let pending = this.refills.get(bizTag);
    if (!pending) {
      pending = this.takeRange(bizTag)
        .then((range) => void this.ranges.set(bizTag, range))
        .finally(() => this.refills.delete(bizTag));
      this.refills.set(bizTag, pending);
    }
    return pending;
  }

  /**
   * Moves the tag's max_id on by its step and takes the numbers in between. The row lock of the
   * upsert serialises instances, so no two get overlapping ranges; a missing tag starts at 1.
   */
  private async takeRange(bizTag: string): Promise<HeldRange> {
    const [row] = await this.prisma.$queryRaw<Array<{ max_id: bigint; step: number }>>`
      INSERT INTO number_segments (biz_tag, max_id, step, updated_at)
      VALUES (${bizTag}, ${DEFAULT_SEGMENT_STEP}, ${DEFAULT_SEGMENT_STEP}, now())
      ON CONFLICT (biz_tag) DO UPDATE
        SET max_id = number_segments.max_id + number_segments.step, updated_at = now()
      RETURNING max_id, step`;
    const max = BigInt(row.max_id);
    return { next: max - BigInt(row.step) + 1n, max };
  }
}
