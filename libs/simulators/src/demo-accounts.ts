import { ARMCLOUD_DEMO_ACCESS_KEY, ARMCLOUD_DEMO_SECRET_KEY } from './armcloud/armcloud-auth';
import { EASYCLICK_DEFAULT_DATA_SECRET } from './easyclick/easyclick-simulator';
import { GIZWITS_DEMO_CREDENTIALS } from './gizwits/gizwits-simulator';
import type { VendorName } from './kit';

/**
 * The credentials each simulator accepts out of the box (each simulator's README lists them and the
 * options that change them). The demo seed and the tests sign in with these.
 */
export const DEMO_CREDENTIALS: Record<VendorName, Record<string, string>> = {
  armcloud: { accessKeyId: ARMCLOUD_DEMO_ACCESS_KEY, secretAccessKey: ARMCLOUD_DEMO_SECRET_KEY },
  gizwits: { ...GIZWITS_DEMO_CREDENTIALS },
  easyclick: { dataSecret: EASYCLICK_DEFAULT_DATA_SECRET },
  tikmatrix: {},
};
