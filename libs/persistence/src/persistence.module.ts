import { Global, Module } from '@nestjs/common';
import { NumberSegmentAllocator } from './number-segments/number-segment-allocator';
import { PrismaService } from './prisma.service';
import { Transactions } from './transactions';

@Global()
@Module({
  providers: [PrismaService, Transactions, NumberSegmentAllocator],
  exports: [PrismaService, Transactions, NumberSegmentAllocator],
})
export class PersistenceModule {}
