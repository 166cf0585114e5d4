/**
 * The API permissions. Each route names the one it needs through @Authenticated({ permission }).
 * The admin issue turns these into resources that roles are granted; a super admin holds them all.
 */
export const Permission = {
  ApiKeysManage: 'api-keys:manage',
  SchedulesRead: 'schedules:read',
  SchedulesManage: 'schedules:manage',
  EventsRead: 'events:read',
  EventsManage: 'events:manage',
  DevicesRead: 'devices:read',
  DevicesManage: 'devices:manage',
  TasksRead: 'tasks:read',
  TasksManage: 'tasks:manage',
  MetricsRead: 'metrics:read',
  QueuesAdmin: 'queues:admin',
  VendorAccountsRead: 'vendor-accounts:read',
  VendorAccountsManage: 'vendor-accounts:manage',
} as const;

export type Permission = (typeof Permission)[keyof typeof Permission];

export const ALL_PERMISSIONS: readonly Permission[] = Object.values(Permission);
