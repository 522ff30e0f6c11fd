// @ts-check
// The workspace's boundaries, checked on every `npm test` (the `tools` project's lint target,
// tools/project.json): `npx depcruise apps libs tools --config .dependency-cruiser.cjs`.
// Paths are from the workspace root. Each rule says which layer may not lean on which.

/** The API's one file other projects may import: its test-support entry, `op-api/testing`. */
const API_TEST_ENTRY = '^apps/op-api/test/testing[.]ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'contracts-imports-no-app',
      comment: '@op/contracts is shared by the API, the panel and other teams: it imports no app.',
      severity: 'error',
      from: { path: '^libs/contracts/' },
      to: { path: '^apps/' },
    },
    {
      name: 'contracts-imports-no-tools',
      comment: '@op/contracts is published on its own: it imports nothing from tools/.',
      severity: 'error',
      from: { path: '^libs/contracts/' },
      to: { path: '^tools/' },
    },
    {
      name: 'api-layers-import-no-feature-module',
      comment:
        'common/, database/ and config/ sit below the feature modules (apps/op-api/src/modules/*): a module may use them, never the other way round. ' +
        'What they need from a module (entities, services) is handed to them by a composition root (app.module.ts, src/entities.ts, cli/).',
      severity: 'error',
      from: { path: '^apps/op-api/src/(common|database|config)/' },
      to: { path: '^apps/op-api/src/modules/' },
    },
    {
      name: 'api-layers-import-no-composition-root',
      comment:
        'common/, database/ and config/ do not reach up to the files that wire the app (app.module.ts, bootstrap.ts, entities.ts, main.ts) or to cli/.',
      severity: 'error',
      from: { path: '^apps/op-api/src/(common|database|config)/' },
      to: { path: '^apps/op-api/src/([^/]+[.]ts|cli/)' },
    },
    {
      name: 'api-src-imports-no-test',
      comment: 'The API ships src/ only: it never imports its specs or their support.',
      severity: 'error',
      from: { path: '^apps/op-api/src/', pathNot: '[.]spec[.]ts$' },
      to: { path: '^apps/op-api/test/' },
    },
    {
      name: 'api-imports-no-panel',
      comment: 'The API knows nothing of the admin panel, its client.',
      severity: 'error',
      from: { path: '^apps/op-api/' },
      to: { path: '^apps/op-admin/' },
    },
    {
      name: 'panel-imports-no-api-internals',
      comment:
        'The panel talks to the API over HTTP through @op/contracts. Only its end-to-end specs (e2e/) start a real API, ' +
        "through the API's test-support entry `op-api/testing` (apps/op-api/test/testing.ts), never a path into apps/op-api.",
      severity: 'error',
      from: { path: '^apps/op-admin/' },
      to: { path: '^apps/op-api/', pathNot: API_TEST_ENTRY },
    },
    {
      name: 'panel-app-imports-no-api-test-entry',
      comment: "The API's test-support entry is for the panel's e2e specs, never for what the panel ships.",
      severity: 'error',
      from: { path: '^apps/op-admin/', pathNot: '^apps/op-admin/e2e/' },
      to: { path: API_TEST_ENTRY },
    },
    {
      name: 'api-test-entry-by-package-name',
      comment: "Other projects import the API's test support as `op-api/testing`, not by a relative path.",
      severity: 'error',
      from: { pathNot: '^apps/op-api/' },
      to: { path: API_TEST_ENTRY, dependencyTypesNot: ['aliased'] },
    },
    {
      name: 'no-feature-module-cycle',
      comment:
        'Feature modules may depend on one another, but not in a ring: a cycle between two modules (folders) means neither can be understood (or moved) alone.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^apps/op-api/src/modules/' },
      to: { path: '^apps/op-api/src/modules/', circular: true },
    },
    {
      name: 'no-circular',
      comment: 'No file depends on itself through others, anywhere.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to nothing is a typo or a missing dependency.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: ['node_modules'] },
    exclude: { path: ['(^|/)node_modules/', '(^|/)dist/', '(^|/)[.]next/', '(^|/)[.]nx/', '^apps/op-admin/next-env[.]d[.]ts$'] },
    tsConfig: { fileName: 'tsconfig.depcruise.json' },
    tsPreCompilationDeps: true,
    combinedDependencies: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
      extensions: ['.ts', '.tsx', '.d.ts', '.js', '.cjs', '.mjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
