/**
 * The request and answer shapes of ArmCloud's OpenAPI, as the vendor document prints them (field
 * names and types kept), for the client and the adapter.
 */

/** `{code, msg, ts, data}`: every ArmCloud answer, HTTP 200 with code 200 on success. */
export interface ArmcloudEnvelope<T> {
  code: number;
  msg: string;
  ts: number;
  data: T;
}

export const ARMCLOUD_SUCCESS_CODE = 200;

export interface ArmcloudPage<T> {
  page: number;
  rows: number;
  size: number;
  total: number;
  totalPage: number;
  pageData: T[];
}

/** The per-pad answer of every asynchronous instance operation. */
export interface ArmcloudPadTask {
  taskId: number;
  padCode: string;
  vmStatus?: number;
}

export interface ArmcloudPadDetail {
  padCode: string;
  imageId?: string;
  deviceLevel?: string;
  padStatus?: number;
  deviceStatus?: number;
  online?: number;
  streamStatus?: number;
  dataSize?: number;
  dataSizeUsed?: number;
  dcInfo?: Record<string, unknown>;
}

export interface ArmcloudPadDetailsQuery {
  page?: number;
  rows?: number;
  padCodes?: string[];
  padIps?: string[];
  vmStatus?: string;
  controlStatus?: string;
  faultStatus?: string;
  deviceStatus?: string;
  groupId?: number;
  idcCode?: string;
}

export interface ArmcloudPadInfo {
  padCode: string;
  padGrade?: string;
  padStatus?: number | string;
  groupId?: number;
  idcCode?: string;
  deviceIp?: string;
  padIp?: string;
  apps?: string[];
}

export interface ArmcloudProperty {
  propertiesName: string;
  propertiesValue: string;
}

export interface ArmcloudPadProperties {
  padCode: string;
  modemPropertiesList?: ArmcloudProperty[];
  systemPropertiesList?: ArmcloudProperty[];
  settingPropertiesList?: ArmcloudProperty[];
  oaidPropertiesList?: ArmcloudProperty[];
}

export interface ArmcloudUpdatePropertiesRequest {
  padCodes: string[];
  modemPersistPropertiesList?: ArmcloudProperty[];
  modemPropertiesList?: ArmcloudProperty[];
  systemPersistPropertiesList?: ArmcloudProperty[];
  systemPropertiesList?: ArmcloudProperty[];
  settingPropertiesList?: ArmcloudProperty[];
  oaidPropertiesList?: ArmcloudProperty[];
}

/** The SIM fields of the table plus those only the example sends (netCountry, simCountry, type, tac, cellid, narfcn, physicalcellid). */
export const ARMCLOUD_SIM_FIELDS = [
  'imei',
  'imeisv',
  'meid',
  'operatorLongname',
  'operatorShortname',
  'operatorNumeric',
  'spn',
  'iccid',
  'imsi',
  'phonenum',
  'mcc',
  'mnc',
  'netCountry',
  'simCountry',
  'type',
  'tac',
  'cellid',
  'narfcn',
  'physicalcellid',
] as const;
export type ArmcloudSimField = (typeof ARMCLOUD_SIM_FIELDS)[number];

export type ArmcloudUpdateSimRequest = { padCodes: string[] } & Partial<Record<ArmcloudSimField, string>>;

export interface ArmcloudSetProxyRequest {
  padCodes: string[];
  account?: string;
  password?: string;
  ip?: string;
  port?: number;
  enable: boolean;
  proxyType?: 'proxy' | 'vpn';
  proxyName?: 'socks5' | 'http-relay';
}

export interface ArmcloudAdbState {
  padCode: string;
  command?: string;
  expireTime?: string;
  enable?: boolean;
}

export interface ArmcloudSyncCommandResult {
  taskId: number;
  padCode: string;
  taskStatus: number;
  taskResult?: string | null;
}

export interface ArmcloudPreview {
  padCode: string;
  accessUrl: string | null;
}

export interface ArmcloudScreenshotRequest {
  padCodes: string[];
  rotation: number;
  broadcast?: boolean;
}

export interface ArmcloudCacheFileRequest {
  fileUrl: string;
  fileName: string;
  fileMd5: string;
}

export interface ArmcloudCachedFile {
  taskId: number;
  fileUniqueId: string;
}

export interface ArmcloudFileEntry {
  fileUniqueId: string;
  fileName: string;
  fileMd5?: string;
  fileSize?: number;
  originUrl?: string;
  createTime?: number;
}

export interface ArmcloudPushFileRequest {
  padCodes: string[];
  fileUniqueId: string;
  autoInstall?: 0 | 1;
  customizeFilePath?: string;
}

export interface ArmcloudCacheAppEntry {
  url: string;
  appId?: number;
  appName?: string;
  pkgName?: string;
  signMd5?: string;
  versionNo?: number;
  versionName?: string;
  description?: string;
  md5sum?: string;
}

export interface ArmcloudCachedApp {
  taskId: number;
  appId: number;
}

export interface ArmcloudAppEntry {
  appId: number;
  originUrl?: string;
  description?: string;
  packageName: string;
  appName: string;
  versionName?: string;
  versionNo?: number;
  signMd5?: string;
  available?: boolean;
  createTime?: number;
}

/** One entry of installApp / uninstallApp's `apps`: each app carries its own pad list. */
export interface ArmcloudPadApp {
  appId?: number;
  appName: string;
  pkgName: string;
  padCodes: string[];
}

/** A pad task's state in the task centre (padTaskDetail, executeScriptInfo, screenshotInfo, appOperateInfo, padExecuteTaskInfo). */
export interface ArmcloudPadTaskDetail {
  taskId: number;
  padCode: string | null;
  taskStatus: number | string;
  endTime?: number | string | null;
  taskContent?: string | null;
  taskResult?: string | null;
  errorMsg?: string | null;
}

export interface ArmcloudFileTaskDetail {
  taskId: number;
  appId?: number | null;
  fileUniqueId?: string | null;
  fileName?: string | null;
  taskStatus: number | string;
  endTime?: number | string | null;
}

export interface ArmcloudTaskBatch {
  taskBatchId: string;
  taskBatchStatus: number;
  type: number;
  createTimestamp: number;
  subTasks: Array<{
    taskId: number;
    padCode: string | null;
    fileUniqueId?: string | null;
    taskStatus: number;
    endTime?: number | null;
  }>;
}

export interface ArmcloudCallbackType {
  id: number;
  callbackType: string;
  callbackName: string;
}

export interface ArmcloudCallbackConfig {
  callbackIdList: number[];
  callbackUrl: string;
}
