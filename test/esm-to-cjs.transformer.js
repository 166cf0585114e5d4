// Jest's CommonJS runtime cannot require ES modules on Node 20, and more and more dependencies
// (NestJS 12 first) ship only those. This transformer turns any ES module Jest loads into CommonJS
// with Babel and leaves CommonJS files untouched. The built apps load the same packages natively.
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const babel = require('@babel/core');

const ESM_SYNTAX = /^\s*(import\s*[\w{*'"]|export\s+(\{|\*|default|const|let|var|function|class|async))/m;
const plugins = [require.resolve('./import-meta-to-cjs.babel-plugin.js'), '@babel/plugin-transform-modules-commonjs'];
const version = createHash('sha256')
  .update(readFileSync(__filename))
  .update(readFileSync(require.resolve('./import-meta-to-cjs.babel-plugin.js')))
  .digest('hex');

module.exports = {
  getCacheKey(source, filename) {
    return createHash('sha256').update(version).update(filename).update(source).digest('hex');
  },
  process(source, filename) {
    if (!ESM_SYNTAX.test(source) && !source.includes('import.meta')) return { code: source };
    const result = babel.transformSync(source, {
      filename,
      babelrc: false,
      configFile: false,
      sourceType: 'module',
      plugins,
      sourceMaps: 'inline',
    });
    return { code: result.code };
  },
};
