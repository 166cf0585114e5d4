"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.configureHttpApp = configureHttpApp;
const nestjs_pino_1 = require("nestjs-pino");
const error_envelope_filter_1 = require("../errors/error-envelope.filter");
const api_error_1 = require("../errors/api-error");
const envelope_validation_pipe_1 = require("../validation/envelope-validation.pipe");
const openapi_1 = require("./openapi");
/**
 * What every Fleetgate HTTP app shares, applied in one place so tests boot the same app that ships:
 * the logger, the validation pipe, the error envelope, X-Request-Id on every answer, and /docs.
 */
async function configureHttpApp(app) {
    app.useLogger(app.get(nestjs_pino_1.Logger));
    app.useGlobalPipes((0, envelope_validation_pipe_1.createValidationPipe)());
    app.useGlobalFilters(new error_envelope_filter_1.ErrorEnvelopeFilter());
    app.enableShutdownHooks();
    const fastify = app.getHttpAdapter().getInstance();
    fastify.addHook('onRequest', async (request, reply) => {
        reply.header('x-request-id', request.id);
    });
    // Unknown routes and errors raised before Nest sees the request (bad JSON) also get the envelope.
    fastify.setNotFoundHandler((request, reply) => {
        void reply
            .status(404)
            .send(error_envelope_filter_1.ErrorEnvelopeFilter.envelope(api_error_1.ApiError.notFound(`Route ${request.method} ${request.url.split('?')[0]}`), request.id));
    });
    (0, openapi_1.mountOpenApi)(app);
}
//# sourceMappingURL=configure-http-app.js.map