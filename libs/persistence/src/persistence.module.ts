import { Global, Module } from '@nestjs/common';
import { NumberSegmentAllocator } from './number-segments/number-segment-allocator';
import { PrismaService } from './prisma.service';

@Global()
@Module({ providers: [PrismaService, NumberSegmentAllocator], exports: [PrismaService, NumberSegmentAllocator] })
export class PersistenceModule {}
