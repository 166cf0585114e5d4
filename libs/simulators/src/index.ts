export * from './kit';
export * from './demo-accounts';
export * from './simulated-vendors';
export { ARMCLOUD_DEMO_ACCESS_KEY, ARMCLOUD_DEMO_SECRET_KEY, type ArmcloudSimulatorOptions } from './armcloud/armcloud-auth';
export { ArmcloudSignatureVerifier } from './armcloud/armcloud-signature';
export { createArmcloudSimulator } from './armcloud/armcloud-simulator';
export {
  createEasyclickSimulator,
  EASYCLICK_DEFAULT_DATA_SECRET,
  EASYCLICK_DEFAULT_NO_LIMIT_TOKEN,
  type EasyclickSimulatorOptions,
} from './easyclick/easyclick-simulator';
export {
  createGizwitsSimulator,
  GIZWITS_DEFAULT_TOKEN_TTL_SECONDS,
  GIZWITS_DEMO_CREDENTIALS,
  type GizwitsSimulatorOptions,
} from './gizwits/gizwits-simulator';
export { createTikmatrixSimulator, type TikmatrixSimulatorOptions } from './tikmatrix/tikmatrix-simulator';
export { isTikmatrixPlan, TIKMATRIX_PLANS, type TikmatrixPlan } from './tikmatrix/tikmatrix-state';
