export * from './generated/prisma/client';
export * from './migrations';
export * from './number-segments/number-segment-allocator';
export * from './persistence.module';
export * from './prisma.service';
export * from './transactions';
