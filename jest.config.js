// Unit tests sit beside the code (*.spec.ts); end-to-end tests live under test/ (*.e2e-spec.ts).
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.json');

const transform = {
  '^.+\\.ts$': [
    'ts-jest',
    {
      tsconfig: 'tsconfig.json',
      // The Swagger CLI plugin, as `nest build` runs it, so that tests see the same OpenAPI document.
      astTransformers: {
        before: ['<rootDir>/test/swagger-plugin.transformer.js'],
      },
      diagnostics: { warnOnly: false },
    },
  ],
};

// Dependencies that ship only ES modules (NestJS 12 among them) become CommonJS for Jest on Node 20.
transform['^.+\\.m?js$'] = '<rootDir>/test/esm-to-cjs.transformer.js';

const common = {
  transformIgnorePatterns: [],
  testTimeout: 60_000,
  moduleFileExtensions: ['js', 'json', 'ts'],
  rootDir: '.',
  transform,
  testEnvironment: 'node',
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: '<rootDir>/' }),
};

module.exports = {
  // Integration tests migrate databases and boot apps against real services; no test asserts a duration.
  testTimeout: 60_000,
  reporters: ['default', '<rootDir>/test/plain-summary.reporter.js'],
  projects: [
    {
      ...common,
      displayName: 'unit',
      // eslint.config.spec.ts sits beside the lint configuration it checks.
      testMatch: ['<rootDir>/*.spec.ts', '<rootDir>/apps/**/*.spec.ts', '<rootDir>/libs/**/*.spec.ts'],
    },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
  ],
};
