/**
 * Which way dependencies may point (dependency-cruiser rules; `scripts/dependencies.test.ts` checks
 * the tree against them, `npm run deps` prints what breaks them).
 *
 *   scripts ─▶ stack ─▶ gateway ──────────────▶ platform
 *      │        │  └──▶ subgraphs/<name> ─▶ subgraphs/kit ─▶ platform
 *      └────────┴──▶ registry ─▶ gateway, platform
 *
 * A layer rule says what a folder may import of the project; npm packages and Node's own modules are
 * not the project (`dependencyTypes: ['local']`). Tests follow the rules of the folder they sit in,
 * and may also use the test harness (`testing/`) and the in-process stack (`stack/`): the two rules
 * at the end keep production files off both, so the layer rules leave them out of their `pathNot`.
 */
const SUPPORT = 'testing|stack';

module.exports = {
  forbidden: [
    {
      name: 'platform-imports-only-platform',
      comment:
        'platform/ is what the gateway and every subgraph share (HTTP front, identity, logging, input checks): ' +
        'it must know neither, or the gateway would drag subgraph code along and back.',
      severity: 'error',
      from: { path: '^platform/' },
      to: { dependencyTypes: ['local'], pathNot: `^(platform|${SUPPORT})/` },
    },
    {
      name: 'kit-imports-only-kit-and-platform',
      comment:
        'subgraphs/kit/ is what every subgraph is built from: it names no concrete subgraph, so a new ' +
        'subgraph is one folder, and knows nothing of the gateway.',
      severity: 'error',
      from: { path: '^subgraphs/kit/' },
      to: { dependencyTypes: ['local'], pathNot: `^(subgraphs/kit|platform|${SUPPORT})/` },
    },
    {
      name: 'subgraph-not-another-subgraph',
      comment:
        'A subgraph owns its folder and reaches another only over GraphQL (service calls, entities): ' +
        'importing another folder, or the set of all of them (subgraphs/*.ts), couples their code and releases.',
      severity: 'error',
      from: { path: '^subgraphs/(?!kit/)([^/]+)/' },
      to: { path: '^subgraphs/', pathNot: '^subgraphs/($1|kit)/' },
    },
    {
      name: 'subgraph-imports-only-kit-and-platform',
      comment:
        'A subgraph folder is built from the kit and the shared platform alone, never from the gateway ' +
        'or a CLI, so it can run as its own process and be added or removed as one folder.',
      severity: 'error',
      from: { path: '^subgraphs/(?!kit/)[^/]+/' },
      to: { dependencyTypes: ['local'], pathNot: `^(subgraphs|platform|${SUPPORT})/` },
    },
    {
      name: 'subgraph-set-imports-only-subgraphs-and-platform',
      comment:
        'subgraphs/*.ts is the set of all subgraphs (their list, migrating and seeding them all, the tests ' +
        'across them): it is built from the folders and the kit, and knows nothing of the gateway.',
      severity: 'error',
      from: { path: '^subgraphs/[^/]+$' },
      to: { dependencyTypes: ['local'], pathNot: `^(subgraphs|platform|${SUPPORT})/` },
    },
    {
      name: 'gateway-imports-only-gateway-and-platform',
      comment:
        'The gateway serves whatever supergraph it is given: it imports no subgraph and no kit code, ' +
        'so subgraphs can join or leave the graph without a gateway release.',
      severity: 'error',
      from: { path: '^gateway/' },
      to: { dependencyTypes: ['local'], pathNot: `^(gateway|platform|${SUPPORT})/` },
    },
    {
      name: 'registry-imports-only-gateway-and-platform',
      comment:
        'The schema registry composes, checks and authenticates exactly as the gateway does (gateway/ composition, ' +
        'token verification, supergraph ids) on the shared platform; it imports no subgraph folder and no kit code, ' +
        'so it holds whatever graph is published to it, not this tree.',
      severity: 'error',
      from: { path: '^registry/' },
      to: { dependencyTypes: ['local'], pathNot: `^(registry|gateway|platform|${SUPPORT})/` },
    },
    {
      name: 'partner-imports-only-its-own-folder',
      comment:
        'A partner package (partners/<name>/) is what a partner copies to its own infrastructure: it may use npm ' +
        'packages and its own files, nothing of ours (not even platform/ or testing/), or the copy would not build.',
      severity: 'error',
      from: { path: '^partners/([^/]+)/' },
      to: { dependencyTypes: ['local'], pathNot: '^partners/$1/' },
    },
    {
      name: 'stack-imports-only-what-it-runs',
      comment:
        'stack/ runs every subgraph, the gateway and (for `npm start`) the schema registry in one process for ' +
        'development and tests: it may use them and what they share, but not the CLIs or the test harness above ' +
        'it (its tests may use the harness).',
      severity: 'error',
      from: { path: '^stack/', pathNot: '\\.test\\.ts$' },
      to: { dependencyTypes: ['local'], pathNot: '^(stack|gateway|subgraphs|registry|platform)/' },
    },
    {
      name: 'only-scripts-and-tests-import-the-stack',
      comment:
        'The in-process stack is a development and test convenience; a deployment runs each subgraph and ' +
        'the gateway as its own process, so no production code may come to depend on it.',
      severity: 'error',
      from: { pathNot: '^(stack|scripts|testing)/|\\.test\\.ts$' },
      to: { path: '^stack/' },
    },
    {
      name: 'production-not-test-support',
      comment:
        'Test support (testing/: the harness, test graphs, test tokens) is not shipped: production code ' +
        'that imports it would run test secrets and helpers in a deployment. Benchmarks (scripts/bench-*.ts, ' +
        'scripts/bench.ts and scripts/bench/) and the soak run (scripts/soak.ts, scripts/soak/) measure a throwaway ' +
        'graph on private servers the harness starts or builds, so they may.',
      severity: 'error',
      from: { pathNot: '^testing/|\\.test\\.ts$|^scripts/bench-[^/]+\\.ts$|^scripts/bench(\\.ts$|/)|^scripts/soak(\\.ts$|/)' },
      to: { path: '^testing/' },
    },
    {
      name: 'no-test-file-imports',
      comment:
        'A *.test.ts is an entry point for jest: importing one runs its tests again inside the importer, ' +
        'and production code importing it ships tests. What tests share belongs in testing/.',
      severity: 'error',
      from: {},
      to: { path: '\\.test\\.ts$' },
    },
    {
      name: 'no-circular',
      comment:
        'A cycle makes two files one concept in two places: neither can be read, tested or moved alone, ' +
        'and CommonJS hands one of them a half-initialised module. Type-only imports count too.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    // Type-only imports (`import type`) are dependencies too: they tie the importer to the other file's shape.
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/' },
  },
};
