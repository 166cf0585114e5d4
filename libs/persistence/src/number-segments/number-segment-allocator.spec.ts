import { FleetgateConfig } from '@fleetgate/config';
import { migrateDatabase } from '../migrations';
import { PrismaService } from '../prisma.service';
import { NumberSegmentAllocator } from './number-segment-allocator';

// Against the real PostgreSQL: the guarantee under test is the database's row lock, not the code's.
const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/fleetgate_test';

describe('NumberSegmentAllocator (PostgreSQL)', () => {
  const tag = `spec-${process.pid}-${Date.now()}`;
  let prisma: PrismaService;
  let other: PrismaService;

  beforeAll(async () => {
    const config = Object.assign(new FleetgateConfig(), { DATABASE_URL: TEST_DATABASE_URL });
    // Two clients, as two gateway instances would have.
    prisma = new PrismaService(config);
    other = new PrismaService(config);
    // Migrating only when needed: the schema engine holds the process open for a while after it ran.
    const [{ found }] = await prisma.$queryRaw<[{ found: string | null }]>`
      SELECT to_regclass('number_segments')::text AS found`.catch(() => [{ found: null }] as [{ found: null }]);
    if (!found) await migrateDatabase(TEST_DATABASE_URL);
  });

  afterAll(async () => {
    await prisma?.numberSegment.deleteMany({ where: { bizTag: { startsWith: tag } } });
    await prisma?.$disconnect();
    await other?.$disconnect();
  });

  function increasing(numbers: bigint[]): boolean {
    return numbers.every((value, index) => index === 0 || value > numbers[index - 1]);
  }

  it('creates a missing tag with a step of 100 and counts from 1', async () => {
    const allocator = new NumberSegmentAllocator(prisma);
    expect(await allocator.next(`${tag}-new`)).toBe(1n);
    expect(await allocator.next(`${tag}-new`)).toBe(2n);
    const row = await prisma.numberSegment.findUniqueOrThrow({ where: { bizTag: `${tag}-new` } });
    expect(row).toMatchObject({ maxId: 100n, step: 100 });
  });

  it('starts above a configured max id and takes the configured step', async () => {
    await prisma.numberSegment.create({ data: { bizTag: `${tag}-set`, maxId: 1_000n, step: 3 } });
    const allocator = new NumberSegmentAllocator(prisma);
    const numbers: bigint[] = [];
    for (let i = 0; i < 7; i++) numbers.push(await allocator.next(`${tag}-set`));
    expect(numbers).toEqual([1_001n, 1_002n, 1_003n, 1_004n, 1_005n, 1_006n, 1_007n]);
    const row = await prisma.numberSegment.findUniqueOrThrow({ where: { bizTag: `${tag}-set` } });
    expect(row.maxId).toBe(1_009n);
  });

  it('shares one refill among concurrent callers of one instance', async () => {
    await prisma.numberSegment.create({ data: { bizTag: `${tag}-once`, step: 1_000 } });
    const allocator = new NumberSegmentAllocator(prisma);
    const numbers = await Promise.all(Array.from({ length: 500 }, () => allocator.next(`${tag}-once`)));
    expect(numbers).toEqual(Array.from({ length: 500 }, (_, index) => BigInt(index + 1)));
    // One fetch moved max_id by one step; a second fetch would have moved it to 2000.
    const row = await prisma.numberSegment.findUniqueOrThrow({ where: { bizTag: `${tag}-once` } });
    expect(row.maxId).toBe(1_000n);
  });

  it('never hands out a number twice across instances, with many concurrent callers and small steps', async () => {
    await prisma.numberSegment.create({ data: { bizTag: `${tag}-race`, step: 7 } });
    const first = new NumberSegmentAllocator(prisma);
    const second = new NumberSegmentAllocator(other);
    const take = (allocator: NumberSegmentAllocator) =>
      Promise.all(Array.from({ length: 300 }, () => allocator.next(`${tag}-race`)));
    const [fromFirst, fromSecond] = await Promise.all([take(first), take(second)]);

    // Within an instance, callers get their numbers in the order they asked.
    expect(increasing(fromFirst)).toBe(true);
    expect(increasing(fromSecond)).toBe(true);
    const all = [...fromFirst, ...fromSecond];
    expect(new Set(all).size).toBe(600);
    expect(all.every((value) => value >= 1n && value <= 700n)).toBe(true);
  });
});
