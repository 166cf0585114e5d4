import { Module } from '@nestjs/common';
import { NumberSegmentRepository } from './number-segment.repository';
import { NumberSegmentsController } from './number-segments.controller';
import { NumberSegmentsService } from './number-segments.service';

/** The number segments (号段) of the back office; the allocator itself is PersistenceModule's. */
@Module({
  controllers: [NumberSegmentsController],
  providers: [NumberSegmentsService, NumberSegmentRepository],
})
export class NumberSegmentsModule {}
