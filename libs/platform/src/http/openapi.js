"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.API_KEY_SCHEME = exports.BEARER_SCHEME = void 0;
exports.buildOpenApiDocument = buildOpenApiDocument;
exports.mountOpenApi = mountOpenApi;
const swagger_1 = require("@nestjs/swagger");
const error_envelope_dto_1 = require("../errors/error-envelope.dto");
exports.BEARER_SCHEME = 'bearer';
exports.API_KEY_SCHEME = 'api-key';
function buildOpenApiDocument(app) {
    const config = new swagger_1.DocumentBuilder()
        .setTitle('Fleetgate')
        .setDescription('One REST model of devices, tasks, apps, files and schedules in front of every device-fleet vendor. ' +
        'Every error has the same envelope (`ErrorEnvelopeDto`).')
        .setVersion('0.1.0')
        .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, exports.BEARER_SCHEME)
        .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, exports.API_KEY_SCHEME)
        .build();
    return swagger_1.SwaggerModule.createDocument(app, config, {
        extraModels: [error_envelope_dto_1.ErrorEnvelopeDto],
        operationIdFactory: (controllerKey, methodKey) => `${controllerKey.replace(/Controller$/, '')}_${methodKey}`,
    });
}
/** Swagger UI at /docs and the JSON document at /docs/openapi.json. */
function mountOpenApi(app) {
    const document = buildOpenApiDocument(app);
    swagger_1.SwaggerModule.setup('docs', app, document, {
        jsonDocumentUrl: 'docs/openapi.json',
        yamlDocumentUrl: 'docs/openapi.yaml',
        swaggerOptions: { persistAuthorization: true },
    });
    return document;
}
//# sourceMappingURL=openapi.js.map