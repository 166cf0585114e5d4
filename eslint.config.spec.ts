import { ESLint, type Linter } from 'eslint';

/**
 * The layer rules of eslint.config.mjs, run on small snippets placed at real paths of the tree (the
 * code is linted in memory; the imports resolve against the real files).
 */
describe('eslint.config.mjs layer rules', () => {
  // Loaded here rather than by ESLint: its own loader import()s the file, which Jest's CommonJS runtime cannot.
  const eslint = new ESLint({
    cwd: __dirname,
    overrideConfigFile: true,
    overrideConfig: (require('./eslint.config.mjs') as { default: Linter.Config[] }).default,
  });

  /** The messages of the layer rules for `code` as if it were the file at `filePath`. */
  async function layerErrors(filePath: string, code: string): Promise<string[]> {
    const [result] = await eslint.lintText(code, { filePath, warnIgnored: true });
    const fatal = result.messages.filter((message) => message.fatal || !message.ruleId);
    expect(fatal).toEqual([]);
    return result.messages
      .filter((message) => message.ruleId?.startsWith('boundaries/') && message.severity === 2)
      .map((message) => message.message);
  }

  /** A module that imports `names` from `source` and uses them. */
  const importing = (names: string, source: string) => `import { ${names} } from '${source}';\nexport const used = [${names}];\n`;

  describe('no library imports an app', () => {
    it('reports a library importing an app', async () => {
      expect(
        await layerErrors('libs/fleet/src/probe.ts', importing('createGateway', '../../../apps/gateway/src/create-gateway')),
      ).toHaveLength(1);
    });

    it('lets an app, a test or a script import an app', async () => {
      expect(await layerErrors('test/probe.ts', importing('createGateway', '../apps/gateway/src/create-gateway'))).toEqual([]);
    });
  });

  describe('outside libs/X, only @fleetgate/X', () => {
    it('reports a deep alias import into another library', async () => {
      expect(
        await layerErrors('libs/scheduling/src/probe.ts', importing('targetWhere', '@fleetgate/fleet/tasks/task-targeting')),
      ).toHaveLength(1);
    });

    it('reports a relative path into another library, from an app, a test or a script', async () => {
      expect(
        await layerErrors('apps/worker/src/probe.ts', importing('VendorError', '../../../libs/vendors/src/core/vendor-error')),
      ).toHaveLength(1);
      expect(
        await layerErrors('test/probe.ts', importing('RedisRateLimiter', '../libs/vendors/src/registry/redis-rate-limiter')),
      ).toHaveLength(1);
      expect(await layerErrors('scripts/probe.ts', importing('migrateDatabase', '../libs/persistence/src/migrations'))).toHaveLength(1);
    });

    it('lets anyone import a library by its name, and a library its own files by any path', async () => {
      expect(await layerErrors('libs/scheduling/src/probe.ts', importing('targetWhere', '@fleetgate/fleet'))).toEqual([]);
      expect(await layerErrors('test/probe.ts', importing('RedisRateLimiter', '@fleetgate/vendors'))).toEqual([]);
      expect(await layerErrors('libs/fleet/src/probe.ts', importing('targetWhere', './tasks/task-targeting'))).toEqual([]);
    });
  });

  describe('a vendor folder imports only the vendor core, @fleetgate/domain, Node and npm packages', () => {
    it('reports another vendor, the rest of libs/vendors, and any other library', async () => {
      const from = 'libs/vendors/src/gizwits/probe.ts';
      expect(await layerErrors(from, importing('ARMCLOUD_SUCCESS_CODE', '../armcloud/armcloud-client'))).toHaveLength(1);
      expect(await layerErrors(from, importing('VendorRegistry', '../registry/vendor-registry'))).toHaveLength(1);
      expect(await layerErrors(from, importing('VendorRegistry', '@fleetgate/vendors'))).toHaveLength(1);
      expect(await layerErrors(from, importing('ApiError', '@fleetgate/platform'))).toHaveLength(1);
      expect(await layerErrors(from, importing('SimulatorServer', '@fleetgate/simulators'))).toHaveLength(1);
    });

    it('lets it import the core, @fleetgate/domain, its own files, Node and npm packages', async () => {
      const from = 'libs/vendors/src/gizwits/probe.ts';
      expect(await layerErrors(from, importing('VendorError', '../core/vendor-error'))).toEqual([]);
      expect(await layerErrors(from, importing('isFinalStatus', '@fleetgate/domain'))).toEqual([]);
      expect(await layerErrors(from, importing('GizwitsClient', './gizwits-client'))).toEqual([]);
      expect(await layerErrors(from, importing('createHash', 'node:crypto'))).toEqual([]);
      expect(await layerErrors(from, importing('retry', 'cockatiel'))).toEqual([]);
    });

    it('lets its specs import the simulators and the test support too, and nothing else', async () => {
      const from = 'libs/vendors/src/gizwits/probe.spec.ts';
      expect(await layerErrors(from, importing('SimulatorServer', '@fleetgate/simulators'))).toEqual([]);
      expect(await layerErrors(from, importing('testConfig', '../../../../test/support/test-env'))).toEqual([]);
      expect(await layerErrors(from, importing('ApiError', '@fleetgate/platform'))).toHaveLength(1);
    });
  });
});
