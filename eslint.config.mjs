// @ts-check
import { readdirSync } from 'node:fs';
import eslint from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import tseslint from 'typescript-eslint';

const root = import.meta.dirname;
const libraries = readdirSync(`${root}/libs`, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);
const VENDOR_FOLDERS = ['armcloud', 'gizwits', 'easyclick', 'tikmatrix'];

/**
 * The layers, as eslint-plugin-boundaries policies over the files imports resolve to (tsconfig paths
 * included, through eslint-import-resolver-typescript). Of the policies matching an import the last
 * one decides; imports between files of one element (an app, a library, a vendor folder) are not
 * checked, so a library's own files import each other freely.
 */
const layerPolicies = [
  // Outside libs/X, libs/X is reached through @fleetgate/X alone: no @fleetgate/X/..., no relative path into it.
  ...libraries.flatMap((library) => [
    {
      from: { file: { path: `!libs/${library}/**` } },
      disallow: { to: { file: { path: `libs/${library}/**` } } },
      message: `outside libs/${library}, import '@fleetgate/${library}' only, never a file inside it`,
    },
    {
      from: { file: { path: `!libs/${library}/**` } },
      allow: { to: { file: { path: `libs/${library}/**` } }, dependency: { source: `@fleetgate/${library}` } },
    },
  ]),
  {
    from: { file: { path: 'libs/**' } },
    disallow: { to: { file: { path: 'apps/**' } } },
    message: 'a library never imports an app',
  },
  // A vendor folder speaks to the rest of Fleetgate through the vendor core alone.
  {
    from: { element: { type: 'vendor' } },
    disallow: { to: { file: { path: '!{libs/vendors/src/core/**,libs/domain/**}' } } },
    message: 'a vendor folder imports only libs/vendors/src/core, @fleetgate/domain, Node and npm packages',
  },
  {
    from: { element: { type: 'vendor' }, file: { categories: 'spec' } },
    allow: [
      { to: { file: { path: 'libs/simulators/**' } }, dependency: { source: '@fleetgate/simulators' } },
      { to: { file: { path: 'test/support/**' } } },
    ],
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'libs/persistence/src/generated/**', 'libs/sdk/src/generated/**', '**/*.js', '**/*.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['**/*.ts'],
    plugins: { boundaries },
    settings: {
      'boundaries/root-path': root,
      'import/resolver': { typescript: { project: `${root}/tsconfig.json` } },
      'boundaries/elements': [
        { type: 'vendor', pattern: `libs/vendors/src/{${VENDOR_FOLDERS.join(',')}}`, partialMatch: false },
        { type: 'library', pattern: 'libs/*', partialMatch: false },
        { type: 'app', pattern: 'apps/*', partialMatch: false },
        { type: 'test', pattern: 'test', partialMatch: false },
        { type: 'script', pattern: 'scripts', partialMatch: false },
      ],
      'boundaries/files': [{ category: 'spec', pattern: '**/*.spec.ts' }],
      'boundaries/dependency-nodes': ['import', 'export', 'dynamic-import', 'require'],
    },
    rules: {
      'boundaries/dependencies': ['error', { default: 'allow', checkUnknownLocals: true, policies: layerPolicies }],
    },
  },
);
