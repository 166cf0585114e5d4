import { testAccount, testTransport } from '../core/adapter-test-kit';
import { TikmatrixAdapter } from './tikmatrix-adapter';
import { TikmatrixClient } from './tikmatrix-client';

/**
 * The document shows no answer for stop or detail; a farm PC may answer them with nothing at all, or
 * with an envelope without data. Neither is an error (README, "Choices where the document is silent").
 */
describe('TikmatrixAdapter with empty stop and detail answers', () => {
  function farmAnswering(answer: string) {
    const config = testAccount('tikmatrix', 'http://farm.invalid:50809', {});
    const fetchImpl: typeof fetch = async () => new Response(answer, { status: 200 });
    return new TikmatrixAdapter(new TikmatrixClient(config, testTransport(config, { fetchImpl, maxAttempts: 1 })));
  }

  it.each([
    ['an empty body', ''],
    ['an envelope without data', '{"code":0,"message":"success"}'],
    ['an envelope with null data', '{"code":0,"message":"success","data":null}'],
  ])('a stop answered with %s succeeded', async (_name, answer) => {
    const adapter = farmAnswering(answer);
    await expect(adapter.dispatch({ type: 'script.stop', params: { taskId: '42' } }, ['TMX000001'])).resolves.toEqual([
      { vendorRef: 'TMX000001', vendorTaskId: '42', status: 'succeeded', result: { stopped: 42 } },
    ]);
    await expect(adapter.cancelTasks(['42'])).resolves.toBeUndefined();
  });

  it.each([
    ['an empty body', ''],
    ['an envelope without data', '{"code":0,"message":"success"}'],
  ])('a detail answered with %s is no news: the task is polled again later', async (_name, answer) => {
    await expect(farmAnswering(answer).pollTasks(['42', '43'])).resolves.toEqual([]);
  });

  it('still refuses an error envelope on stop, keeping its code', async () => {
    const adapter = farmAnswering('{"code":40401,"message":"task not found","data":null}');
    await expect(adapter.dispatch({ type: 'script.stop', params: { taskId: '42' } }, ['TMX000001'])).rejects.toMatchObject(
      { kind: 'not_found', vendorCode: '40401' },
    );
  });
});
