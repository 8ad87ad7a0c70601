// Layer rules, checked by `npm test` (npm run lint:deps). Only run-time imports count: a type-only
// import (`import type`) is erased by the compiler and cannot make a cycle at run time.
//
// Two kinds of files cut across folders on purpose and are left out of the folder check:
//   - route modules (routes.ts, *-routes.ts): a feature's HTTP face, imported only by src/routes.ts
//     (and app.ts), so they sit on top of everything;
//   - table definitions (schema.ts): drizzle's schema index (db/schema.ts) gathers them all, so
//     they sit at the bottom and import nothing of ours but other tables.
const ROUTES = 'routes\\.ts$';
const TABLES = '^src/(?!db/)[^/]+/schema\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No module may reach itself through its imports.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'routes-only-from-the-composition-root',
      severity: 'error',
      comment: 'A feature never imports another feature\'s (or its own) route module: routes are wired in src/routes.ts and src/app.ts only.',
      from: { path: '^src/', pathNot: '^src/(routes|app)\\.ts$' },
      to: { path: ROUTES },
    },
    {
      name: 'core-is-the-bottom',
      severity: 'error',
      comment: 'core/ (errors, rule codes, version checks) imports nothing else of ours.',
      from: { path: '^src/core/' },
      to: { path: '^src/', pathNot: '^src/core/' },
    },
    {
      name: 'engine-below-features-and-http',
      severity: 'error',
      comment: 'The unit of work (commands/) and the step engine (lifecycle/) know no feature and no HTTP.',
      from: { path: '^src/(commands|lifecycle)/' },
      to: { path: '^src/(http|parties|labels|manifests|supervision|demo|scripts)/' },
    },
    {
      name: 'http-is-only-the-edge',
      severity: 'error',
      comment: 'http/ serves the features; it never imports one.',
      from: { path: '^src/http/', pathNot: ROUTES },
      to: { path: '^src/(parties|labels|manifests|supervision|demo|scripts)/' },
    },
    {
      name: 'tables-import-only-tables',
      severity: 'error',
      comment: 'Table definitions depend on drizzle and other tables only.',
      from: { path: TABLES },
      to: { path: '^src/', pathNot: `${TABLES}|^src/db/columns\\.ts$` },
    },
  ],
  options: {
    tsPreCompilationDeps: false,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
