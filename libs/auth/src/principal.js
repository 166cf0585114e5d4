"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.holds = holds;
function holds(principal, permission) {
    return principal.superAdmin || principal.permissions.has(permission);
}
//# sourceMappingURL=principal.js.map