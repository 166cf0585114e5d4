"use strict";
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __exportStar = (this && this.__exportStar) || function(m, exports) {
    for (var p in m) if (p !== "default" && !Object.prototype.hasOwnProperty.call(exports, p)) __createBinding(exports, m, p);
};
Object.defineProperty(exports, "__esModule", { value: true });
__exportStar(require("./auth.module"), exports);
__exportStar(require("./authenticated.decorator"), exports);
__exportStar(require("./password-hasher"), exports);
__exportStar(require("./permissions"), exports);
__exportStar(require("./principal"), exports);
__exportStar(require("./sessions/session.service"), exports);
__exportStar(require("./token-hash"), exports);
__exportStar(require("./user-permission-source"), exports);
//# sourceMappingURL=index.js.map