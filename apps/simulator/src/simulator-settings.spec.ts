import { readSimulatorSettings } from './simulator-settings';

describe('simulator settings', () => {
  it('defaults to 50 devices, time scale 1, seed 1, 127.0.0.1 and ports 4101-4104, with the demo credentials', () => {
    const settings = readSimulatorSettings([], {});
    expect(settings).toMatchObject({ fleetSize: 50, timeScale: 1, seed: 1, host: '127.0.0.1', only: undefined });
    expect(settings.ports).toEqual({ armcloud: 4101, gizwits: 4102, easyclick: 4103, tikmatrix: 4104 });
    expect(settings.faults.size).toBe(0);
    expect(settings.vendors).toEqual({
      armcloud: { accessKeyId: undefined, secretAccessKey: undefined, host: undefined },
      gizwits: { appId: undefined, appSecret: undefined, username: undefined, password: undefined, tokenTtlSeconds: 604_800 },
      easyclick: { dataSecret: undefined, noLimitToken: undefined },
      tikmatrix: { plan: undefined },
    });
  });

  it('reads the SIM_* environment', () => {
    const settings = readSimulatorSettings([], {
      SIM_FLEET_SIZE: '200',
      SIM_TIME_SCALE: '0',
      SIM_HOST: '0.0.0.0',
      SIM_GIZWITS_PORT: '5102',
      SIM_ARMCLOUD_ACCESS_KEY: 'ak',
      SIM_ARMCLOUD_SECRET_KEY: 'sk',
      SIM_ARMCLOUD_HOST: 'armcloud.internal',
      SIM_GIZWITS_APP_ID: 'app',
      SIM_GIZWITS_APP_SECRET: 'secret',
      SIM_GIZWITS_USERNAME: 'user',
      SIM_GIZWITS_PASSWORD: 'password',
      SIM_GIZWITS_TOKEN_TTL_SECONDS: '60',
      SIM_EASYCLICK_DATA_SECRET: 'data-secret',
      SIM_EASYCLICK_NO_LIMIT_TOKEN: 'token',
      SIM_TIKMATRIX_PLAN: 'Starter',
    });
    expect(settings).toMatchObject({ fleetSize: 200, timeScale: 0, host: '0.0.0.0' });
    expect(settings.ports.gizwits).toBe(5102);
    expect(settings.vendors).toEqual({
      armcloud: { accessKeyId: 'ak', secretAccessKey: 'sk', host: 'armcloud.internal' },
      gizwits: { appId: 'app', appSecret: 'secret', username: 'user', password: 'password', tokenTtlSeconds: 60 },
      easyclick: { dataSecret: 'data-secret', noLimitToken: 'token' },
      tikmatrix: { plan: 'starter' },
    });
  });

  it('takes an empty variable as unset, except the EasyClick no_limit_token, which it turns off', () => {
    const settings = readSimulatorSettings([], {
      SIM_ARMCLOUD_ACCESS_KEY: '',
      SIM_GIZWITS_APP_ID: '',
      SIM_GIZWITS_TOKEN_TTL_SECONDS: '',
      SIM_EASYCLICK_DATA_SECRET: '',
      SIM_EASYCLICK_NO_LIMIT_TOKEN: '',
      SIM_TIKMATRIX_PLAN: '',
    });
    expect(settings.vendors.armcloud.accessKeyId).toBeUndefined();
    expect(settings.vendors.gizwits).toMatchObject({ appId: undefined, tokenTtlSeconds: 604_800 });
    expect(settings.vendors.easyclick).toEqual({ dataSecret: undefined, noLimitToken: '' });
    expect(settings.vendors.tikmatrix.plan).toBeUndefined();
  });

  it('lets the flags win over the environment, and gathers the faults of each vendor', () => {
    const settings = readSimulatorSettings(
      [
        '--fleet-size', '10', '--time-scale', '2.5', '--seed', '9', '--only', 'armcloud,gizwits',
        '--faults', 'armcloud=errorRate:0.2', '--faults', 'armcloud=latencyMs:50', '--faults', 'gizwits=callbackOutOfOrder',
      ],
      { SIM_FLEET_SIZE: '500', SIM_TIME_SCALE: '0' },
    );
    expect(settings).toMatchObject({ fleetSize: 10, timeScale: 2.5, seed: 9 });
    expect([...settings.only!]).toEqual(['armcloud', 'gizwits']);
    expect(Object.fromEntries(settings.faults)).toEqual({
      armcloud: { errorRate: '0.2', latencyMs: '50' },
      gizwits: { callbackOutOfOrder: true },
    });
  });

  it.each([
    [['--fleet-size', '5'], {}, '--fleet-size must be an integer from 10 to 100000, got "5"'],
    [[], { SIM_FLEET_SIZE: 'many' }, '--fleet-size must be an integer from 10 to 100000, got "many"'],
    [['--time-scale=-1'], {}, '--time-scale must be a number >= 0'],
    [['--seed', 'x'], {}, '--seed must be an integer'],
    [[], { SIM_TIKMATRIX_PORT: 'http' }, 'SIM_TIKMATRIX_PORT must be a port number'],
    [[], { SIM_GIZWITS_TOKEN_TTL_SECONDS: 'week' }, 'SIM_GIZWITS_TOKEN_TTL_SECONDS must be an integer >= 0'],
    [[], { SIM_TIKMATRIX_PLAN: 'platinum' }, 'SIM_TIKMATRIX_PLAN must be one of'],
    [['--unknown'], {}, "Unknown option '--unknown'"],
  ])('refuses %j %j, naming what is wrong', (args, env, message) => {
    expect(() => readSimulatorSettings(args as string[], env as NodeJS.ProcessEnv)).toThrow(message);
  });
});
