/**
 * At most one run of a piece of work per key at a time. A call that arrives while a run is under way
 * may have changed what that run already read, so it gets the next run, which starts once the current
 * one has ended and is shared by every call that arrived meanwhile. Under a burst of N calls the work
 * runs about twice instead of N times, and every caller still sees a run that began after its call.
 */
export class CoalescedRuns<T> {
  private readonly runs = new Map<string, { current: Promise<T>; next?: Promise<T> }>();

  run(key: string, work: () => Promise<T>): Promise<T> {
    const state = this.runs.get(key);
    if (!state) return this.start(key, work);
    state.next ??= state.current.then(
      () => this.start(key, work),
      () => this.start(key, work),
    );
    return state.next;
  }

  private start(key: string, work: () => Promise<T>): Promise<T> {
    const current = work().finally(() => {
      const state = this.runs.get(key);
      if (state?.current === current && !state.next) this.runs.delete(key);
    });
    const state = this.runs.get(key);
    if (state) {
      state.current = current;
      state.next = undefined;
    } else {
      this.runs.set(key, { current });
    }
    return current;
  }
}
