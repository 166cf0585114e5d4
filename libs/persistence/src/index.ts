export * from './generated/prisma/client';
export * from './migrations';
export * from './persistence.module';
export * from './prisma.service';
