import { Injectable } from '@nestjs/common';
import type { Prisma } from './generated/prisma/client';
import { PrismaService } from './prisma.service';

/**
 * What a repository method runs its statements on: the process's client, or the transaction a
 * service opened. Repository methods that may join a transaction take it as their last argument,
 * `db: Db = this.prisma`, so a service composes several repositories' writes into one commit without
 * touching a table itself.
 */
export type Db = Prisma.TransactionClient;

export interface TransactionOptions {
  /** How long the transaction may run before PostgreSQL work is abandoned (Prisma's default is 5 s). */
  timeoutMs?: number;
  /** How long to wait for a connection to start it. */
  maxWaitMs?: number;
  isolationLevel?: Prisma.TransactionIsolationLevel;
}

/**
 * Opens transactions for services. Services never inject `PrismaService`: they ask this for a
 * transaction and hand it to the repositories that own the tables.
 */
@Injectable()
export class Transactions {
  constructor(private readonly prisma: PrismaService) {}

  run<T>(work: (tx: Db) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    return this.prisma.$transaction(work, {
      ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}),
      ...(options.maxWaitMs !== undefined ? { maxWait: options.maxWaitMs } : {}),
      ...(options.isolationLevel !== undefined ? { isolationLevel: options.isolationLevel } : {}),
    });
  }
}
