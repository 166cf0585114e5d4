/**
 * The API permissions. Each route names the one it needs through @Authenticated({ permission }).
 * Roles are granted them (see the admin back office); a super admin holds them all.
 */
export const Permission = {
  UsersRead: 'users:read',
  UsersManage: 'users:manage',
  RolesRead: 'roles:read',
  RolesManage: 'roles:manage',
  MenusRead: 'menus:read',
  MenusManage: 'menus:manage',
  ResourcesRead: 'resources:read',
  ResourcesManage: 'resources:manage',
  DepartmentsRead: 'departments:read',
  DepartmentsManage: 'departments:manage',
  PostsRead: 'posts:read',
  PostsManage: 'posts:manage',
  GradesRead: 'grades:read',
  GradesManage: 'grades:manage',
  OperationLogsRead: 'operation-logs:read',
  OperationLogsManage: 'operation-logs:manage',
  LoginLogsRead: 'login-logs:read',
  SegmentsRead: 'segments:read',
  SegmentsManage: 'segments:manage',
  /** One's own API keys. */
  ApiKeysManage: 'api-keys:manage',
  /** Every user's API keys: list and revoke them (`/admin/users/{id}/api-keys`). */
  ApiKeysAdmin: 'api-keys:admin',
  SchedulesRead: 'schedules:read',
  SchedulesManage: 'schedules:manage',
  EventsRead: 'events:read',
  EventsManage: 'events:manage',
  DevicesRead: 'devices:read',
  DevicesManage: 'devices:manage',
  TasksRead: 'tasks:read',
  TasksManage: 'tasks:manage',
  MetricsRead: 'metrics:read',
  /** The queue dashboard, read-only. */
  QueuesAdmin: 'queues:admin',
  /** The queue dashboard with its changes: retry, clean, promote, remove, empty, pause, add. */
  QueuesManage: 'queues:manage',
  VendorAccountsRead: 'vendor-accounts:read',
  VendorAccountsManage: 'vendor-accounts:manage',
} as const;

export type Permission = (typeof Permission)[keyof typeof Permission];

export const ALL_PERMISSIONS: readonly Permission[] = Object.values(Permission);
