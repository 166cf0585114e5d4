import { CoalescedRuns } from './coalesced-runs';

/** A run that ends when the test says so, recording when it started. */
function controllableWork(log: string[]) {
  const pending: Array<() => void> = [];
  let runs = 0;
  const work = () => {
    const run = ++runs;
    log.push(`start ${run}`);
    return new Promise<number>((resolve) => pending.push(() => resolve(run)));
  };
  return { work, finishNext: () => pending.shift()?.(), runs: () => runs };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('CoalescedRuns', () => {
  it('runs once for a lone call and forgets the key afterwards', async () => {
    const log: string[] = [];
    const { work, finishNext, runs } = controllableWork(log);
    const coalesced = new CoalescedRuns<number>();
    const first = coalesced.run('task', work);
    finishNext();
    await expect(first).resolves.toBe(1);
    const second = coalesced.run('task', work);
    await flush();
    finishNext();
    await expect(second).resolves.toBe(2);
    expect(runs()).toBe(2);
  });

  it('gives every call made during a run one shared run that starts after it', async () => {
    const log: string[] = [];
    const { work, finishNext, runs } = controllableWork(log);
    const coalesced = new CoalescedRuns<number>();
    const first = coalesced.run('task', work);
    const during = [coalesced.run('task', work), coalesced.run('task', work), coalesced.run('task', work)];
    expect(runs()).toBe(1);
    finishNext();
    await flush();
    expect(log).toEqual(['start 1', 'start 2']);
    finishNext();
    await expect(first).resolves.toBe(1);
    await expect(Promise.all(during)).resolves.toEqual([2, 2, 2]);
    expect(runs()).toBe(2);
  });

  it('keeps keys apart', async () => {
    const log: string[] = [];
    const { work, finishNext, runs } = controllableWork(log);
    const coalesced = new CoalescedRuns<number>();
    const a = coalesced.run('a', work);
    const b = coalesced.run('b', work);
    expect(runs()).toBe(2);
    finishNext();
    finishNext();
    await expect(Promise.all([a, b])).resolves.toEqual([1, 2]);
  });

  it('starts the next run even when the current one failed', async () => {
    const coalesced = new CoalescedRuns<string>();
    let release!: (error: Error) => void;
    const failing = coalesced.run('task', () => new Promise<string>((_, reject) => (release = reject)));
    const after = coalesced.run('task', async () => 'ran again');
    release(new Error('database away'));
    await expect(failing).rejects.toThrow('database away');
    await expect(after).resolves.toBe('ran again');
  });
});
