"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.sha256 = sha256;
exports.randomToken = randomToken;
exports.sameHash = sameHash;
const node_crypto_1 = require("node:crypto");
/**
 * Refresh tokens and API keys are long random strings, so a fast SHA-256 is a sound way to store
 * them (unlike passwords, they cannot be guessed from a dictionary).
 */
function sha256(value) {
    return (0, node_crypto_1.createHash)('sha256').update(value).digest('hex');
}
function randomToken(bytes = 32) {
    return (0, node_crypto_1.randomBytes)(bytes).toString('base64url');
}
function sameHash(a, b) {
    const left = Buffer.from(a, 'hex');
    const right = Buffer.from(b, 'hex');
    return left.length === right.length && (0, node_crypto_1.timingSafeEqual)(left, right);
}
//# sourceMappingURL=token-hash.js.map