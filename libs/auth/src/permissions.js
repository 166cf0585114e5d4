"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.ALL_PERMISSIONS = exports.Permission = void 0;
/**
 * The API permissions. Each route names the one it needs through @Authenticated({ permission }).
 * The admin issue turns these into resources that roles are granted; a super admin holds them all.
 */
exports.Permission = {
    ApiKeysManage: 'api-keys:manage',
    MetricsRead: 'metrics:read',
    QueuesAdmin: 'queues:admin',
};
exports.ALL_PERMISSIONS = Object.values(exports.Permission);
//# sourceMappingURL=permissions.js.map