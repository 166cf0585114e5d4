import { ARMCLOUD_DEMO_ACCESS_KEY, ARMCLOUD_DEMO_SECRET_KEY } from './armcloud/armcloud-auth';
import type { VendorName } from './kit';

/**
 * The credentials each simulator accepts out of the box (each simulator's README lists them and the
 * environment variables that change them). The demo seed and the tests sign in with these.
 */
export const DEMO_CREDENTIALS: Record<VendorName, Record<string, string>> = {
  armcloud: { accessKeyId: ARMCLOUD_DEMO_ACCESS_KEY, secretAccessKey: ARMCLOUD_DEMO_SECRET_KEY },
  gizwits: {
    appId: 'fleetgatedemoappid0000000000001',
    appSecret: 'fleetgate-gizwits-demo-secret',
    username: 'fleetgate',
    password: 'fleetgate-demo',
  },
  easyclick: { dataSecret: 'test123' },
  tikmatrix: {},
};
