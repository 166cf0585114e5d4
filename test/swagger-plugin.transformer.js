// Runs the @nestjs/swagger CLI plugin inside ts-jest, the way `nest build` runs it, so that the
// OpenAPI document under test is the one that ships. ts-jest wants name/version/factory.
const plugin = require('@nestjs/swagger/plugin');

const options = { introspectComments: true, classValidatorShim: true, dtoFileNameSuffix: ['.dto.ts'] };

module.exports = {
  name: 'nestjs-swagger-plugin',
  version: 1,
  factory: (tsCompiler) => plugin.before(options, tsCompiler.program),
};
