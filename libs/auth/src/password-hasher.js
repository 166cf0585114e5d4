"use strict";
var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.PasswordHasher = void 0;
const node_crypto_1 = require("node:crypto");
const common_1 = require("@nestjs/common");
const argon2_1 = require("@node-rs/argon2");
/** argon2id via @node-rs/argon2 (prebuilt binaries in npm packages, no install scripts). */
let PasswordHasher = class PasswordHasher {
    decoy;
    hash(password) {
        return (0, argon2_1.hash)(password);
    }
    /** A hash of nothing anyone knows, verified against for unknown users so both paths cost the same. */
    decoyHash() {
        this.decoy ??= (0, argon2_1.hash)((0, node_crypto_1.randomBytes)(24).toString('base64'));
        return this.decoy;
    }
    async verify(passwordHash, password) {
        try {
            return await (0, argon2_1.verify)(passwordHash, password);
        }
        catch {
            return false;
        }
    }
};
exports.PasswordHasher = PasswordHasher;
exports.PasswordHasher = PasswordHasher = __decorate([
    (0, common_1.Injectable)()
], PasswordHasher);
//# sourceMappingURL=password-hasher.js.map