/** Architecture rules of the house (architecture.md, rules 1 and 7), enforced in `npm test`. */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'libs/domain is pure TypeScript: no framework, no database, no broker, no Node I/O.',
      severity: 'error',
      from: { path: '^libs/domain/' },
      to: {
        pathNot: ['^libs/domain/', '^libs/decider/'],
      },
    },
    {
      name: 'decider-stands-alone',
      comment:
        'libs/decider is the one decider interface, shared by the domain and the write path: it imports nothing.',
      severity: 'error',
      from: { path: '^libs/decider/' },
      to: { pathNot: '^libs/decider/' },
    },
    {
      name: 'event-store-knows-no-domain',
      comment:
        "libs/event-store stores streams of any events: the runtime passes in what it needs of the domain (the global log's stream prefix).",
      severity: 'error',
      from: { path: '^libs/event-store/' },
      to: { path: '^libs/domain/' },
    },
    {
      name: 'apps-never-import-apps',
      comment: 'Each app is its own deployable; shared code lives in libs.',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'libs-never-import-apps',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['(^|/)dist/', '\\.spec\\.ts$', '\\.int-spec\\.ts$'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.tsx', '.js', '.json'],
      exportsFields: ['exports'],
      conditionNames: ['require', 'import', 'node', 'default'],
    },
  },
};
