/**
 * Reads every 100 ms until `done` holds; fails naming what did not happen after `seconds`. The bound
 * only stops a wait that will never end: it sits under Jest's test timeout (jest.config.js) so that the
 * failure names the wait, and well above what any wait takes on an idle machine, since CI's machine may
 * be several times slower.
 */
export async function until<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  seconds = 150,
): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen in time`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
