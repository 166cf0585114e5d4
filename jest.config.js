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
  testTimeout: 180_000,
  moduleFileExtensions: ['js', 'json', 'ts'],
  rootDir: '.',
  transform,
  testEnvironment: 'node',
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: '<rootDir>/' }),
  // Each Jest worker has a database and a Redis prefix of its own (test/support/worker-env.js).
  setupFiles: ['<rootDir>/test/support/use-worker-env.js'],
};

module.exports = {
  // Integration tests migrate databases and boot apps against real services; no test asserts a duration.
  // The timeout only stops a hung test: on a loaded CI machine a suite's waits stretch several times over.
  testTimeout: 180_000,
  globalSetup: '<rootDir>/test/support/worker-databases.js',
  globalTeardown: '<rootDir>/test/support/drop-worker-databases.js',
  testSequencer: '<rootDir>/test/support/slow-first.sequencer.js',
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
