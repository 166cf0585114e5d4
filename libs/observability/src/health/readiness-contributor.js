"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.READINESS_CONTRIBUTORS = void 0;
exports.READINESS_CONTRIBUTORS = Symbol('READINESS_CONTRIBUTORS');
//# sourceMappingURL=readiness-contributor.js.map