// NestJS 12 ships ES modules that use `import.meta` (createRequire, resolve) and import(). In the CommonJS that
// Jest runs, each member has a CommonJS equivalent. Modules that declare their own `require`
// (`const require = createRequire(import.meta.url)`) get it renamed, or it would shadow CommonJS's.
module.exports = function importMetaToCommonJs({ types: t, template }) {
  const replacements = {
    url: () => template.expression.ast`require('node:url').pathToFileURL(__filename).href`,
    resolve: () =>
      template.expression.ast`((specifier) => require('node:url').pathToFileURL(require.resolve(specifier)).href)`,
    filename: () => t.identifier('__filename'),
    dirname: () => t.identifier('__dirname'),
  };
  return {
    name: 'import-meta-to-cjs',
    visitor: {
      Program(path) {
        if (path.scope.hasOwnBinding('require')) path.scope.rename('require');
      },
      // Jest's VM runs no dynamic import() without --experimental-vm-modules; require() it instead.
      CallExpression(path) {
        if (!t.isImport(path.node.callee)) return;
        const [specifier] = path.node.arguments;
        path.replaceWith(template.expression.ast`Promise.resolve().then(() => require(${specifier}))`);
      },
      MemberExpression(path) {
        const { object, property } = path.node;
        if (!t.isMetaProperty(object) || object.meta.name !== 'import' || !t.isIdentifier(property)) return;
        const replacement = replacements[property.name];
        if (replacement) path.replaceWith(replacement());
      },
    },
  };
};
