import { InvalidInputError } from '@fleetgate/domain';
import { UuidParamPipe } from './uuid-param.pipe';

describe('UuidParamPipe', () => {
  const pipe = new UuidParamPipe();
  const metadata = { type: 'param' as const, data: 'accountId' };

  it('answers a UUID sent in capitals in lower case, as PostgreSQL stores and answers it', async () => {
    await expect(pipe.transform('3F2B8C1E-9D4A-4C5B-8E7F-1A2B3C4D5E6F', metadata)).resolves.toBe(
      '3f2b8c1e-9d4a-4c5b-8e7f-1a2b3c4d5e6f',
    );
  });

  it('refuses what is not a UUID with a 400 naming the parameter', async () => {
    const refusal = await pipe.transform('nope', metadata).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(InvalidInputError);
    expect((refusal as InvalidInputError).details).toEqual([{ field: 'accountId', problem: 'must be a UUID' }]);
  });
});
