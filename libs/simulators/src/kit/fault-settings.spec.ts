import { mergeFaultSettings, NO_FAULTS, parseFaultFlag } from './fault-settings';

describe('fault settings', () => {
  it('merges a valid patch', () => {
    const next = mergeFaultSettings(NO_FAULTS, { errorRate: '0.5', latencyMs: 20, errorMode: 'http' });
    expect(next).toMatchObject({ errorRate: 0.5, latencyMs: 20, errorMode: 'http', hangRate: 0 });
  });

  it('names the field of a bad value', () => {
    expect(() => mergeFaultSettings(NO_FAULTS, { errorRate: 2 })).toThrow('errorRate must be a number from 0 to 1');
    expect(() => mergeFaultSettings(NO_FAULTS, { bogus: 1 })).toThrow('unknown fault setting "bogus"');
  });

  it('parses the command-line form', () => {
    expect(parseFaultFlag('errorRate:0.2,callbackOutOfOrder')).toEqual({ errorRate: '0.2', callbackOutOfOrder: true });
  });
});
