/**
 * Dependencies point one way (`.dependency-cruiser.js`): the real tree breaks no rule, and every rule
 * does catch what it forbids in a small fixture tree.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describeViolation, type DependencyViolation } from './dependencies';

const root = resolve(__dirname, '..');

/** Runs `npm run deps -- --json --root <tree>` and returns its violations, one line each. */
function violationsOf(tree: string): string[] {
  const res = spawnSync(process.execPath, [require.resolve('tsx/cli'), join(root, 'scripts/dependencies.ts'), '--json', '--root', tree], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  if (res.status !== 0) throw new Error(`scripts/dependencies.ts exited ${res.status ?? res.signal}:\n${res.stderr}`);
  return (JSON.parse(res.stdout) as DependencyViolation[]).map(describeViolation);
}

describe('the real tree', () => {
  let found: string[];
  beforeAll(() => {
    found = violationsOf(root);
  });

  test('no import breaks a dependency rule', () => {
    expect(found).toEqual([]);
  });
});

/**
 * A tree of the project's layout in which every allowed kind of import occurs once and each rule is
 * broken exactly once: the check must report those and nothing else.
 */
const FIXTURE: Record<string, string[]> = {
  'platform/shared.ts': ["import { randomUUID } from 'node:crypto'", "import { GraphQLError } from 'graphql'"],
  'platform/shared.test.ts': ["import './shared'", "import '../testing/harness'"],
  'platform/ping.ts': ["import './pong'"],
  'platform/pong.ts': ["import type * as ping from './ping'"], // a type-only import closes a cycle too
  'platform/leak.ts': ["import '../gateway/server'"],
  'subgraphs/kit/server.ts': ["import '../../platform/shared'"],
  'subgraphs/kit/leak.ts': ["import '../catalog/index'"],
  'subgraphs/catalog/index.ts': ["import './data'", "import '../kit/server'", "import '../../platform/shared'"],
  'subgraphs/catalog/data.ts': [],
  'subgraphs/catalog/catalog.test.ts': ["import './index'", "import '../../testing/harness'", "import '../../stack/stack'"],
  'subgraphs/catalog/prices.ts': ["import '../orders/index'"],
  'subgraphs/catalog/fixtures.ts': ["import '../../testing/harness'"],
  'subgraphs/orders/index.ts': ["import '../../gateway/server'"],
  'subgraphs/index.ts': ["import './catalog/index'", "import './orders/index'", "import './kit/server'"],
  'subgraphs/seeding.ts': ["import '../gateway/server'"],
  'subgraphs/lifecycle.test.ts': ["import '.'", "import '../testing/harness'"],
  'gateway/server.ts': ["import '../platform/shared'"],
  'gateway/server.test.ts': ["import './server'", "import '../testing/harness'", "import '../stack/stack'"],
  'gateway/config.ts': ["import '../subgraphs/kit/server'"],
  'gateway/dev.ts': ["import '../stack/stack'"],
  'registry/api.ts': ["import '../gateway/server'", "import '../platform/shared'"],
  'registry/api.test.ts': ["import './api'", "import '../testing/harness'"],
  'registry/leak.ts': ["import '../subgraphs/kit/server'"],
  'stack/stack.ts': ["import '../gateway/server'", "import '../subgraphs/index'", "import '../platform/shared'"],
  'stack/local-registry.ts': ["import '../registry/api'"],
  'stack/cli.ts': ["import '../scripts/start'"],
  'testing/harness.ts': ["import '../stack/stack'", "import '../subgraphs/index'"],
  'testing/shared.ts': ["import '../gateway/server.test'"],
  'scripts/start.ts': ["import '../stack/stack'", "import '../gateway/server'"],
  'scripts/registry.ts': ["import '../registry/api'"],
  'scripts/bench-spending.ts': ["import '../testing/harness'"],
  'partners/insurer/src/server.ts': ["import './db'", "import 'graphql'"],
  'partners/insurer/src/db.ts': [],
  'partners/insurer/src/money.ts': ["import '../../../platform/shared'"],
};

const EXPECTED = [
  'gateway/config.ts → subgraphs/kit/server.ts (gateway-imports-only-gateway-and-platform)',
  'gateway/dev.ts → stack/stack.ts (only-scripts-and-tests-import-the-stack)',
  'partners/insurer/src/money.ts → platform/shared.ts (partner-imports-only-its-own-folder)',
  'platform/leak.ts → gateway/server.ts (platform-imports-only-platform)',
  'platform/ping.ts → platform/pong.ts (no-circular: platform/ping.ts → platform/pong.ts → platform/ping.ts)',
  'registry/leak.ts → subgraphs/kit/server.ts (registry-imports-only-gateway-and-platform)',
  'stack/cli.ts → scripts/start.ts (stack-imports-only-what-it-runs)',
  'subgraphs/catalog/fixtures.ts → testing/harness.ts (production-not-test-support)',
  'subgraphs/catalog/prices.ts → subgraphs/orders/index.ts (subgraph-not-another-subgraph)',
  'subgraphs/kit/leak.ts → subgraphs/catalog/index.ts (kit-imports-only-kit-and-platform)',
  'subgraphs/orders/index.ts → gateway/server.ts (subgraph-imports-only-kit-and-platform)',
  'subgraphs/seeding.ts → gateway/server.ts (subgraph-set-imports-only-subgraphs-and-platform)',
  'testing/shared.ts → gateway/server.test.ts (no-test-file-imports)',
];

describe('a fixture tree that breaks each rule once', () => {
  let tree: string;
  beforeAll(() => {
    tree = mkdtempSync(join(tmpdir(), 'autograph-deps-'));
    const folders = new Set(Object.keys(FIXTURE).map((file) => file.split('/')[0]));
    writeFileSync(join(tree, 'tsconfig.json'), JSON.stringify({ include: [...folders] }));
    for (const [file, imports] of Object.entries(FIXTURE)) {
      mkdirSync(dirname(join(tree, file)), { recursive: true });
      writeFileSync(join(tree, file), [...imports.map((i) => `${i};`), 'export {};', ''].join('\n'));
    }
  });
  afterAll(() => rmSync(tree, { recursive: true, force: true }));

  test('every rule reports its one forbidden import, and no allowed import is reported', () => {
    expect(violationsOf(tree)).toEqual(EXPECTED);
  });

  test('every rule in .dependency-cruiser.js is proven by the fixture', () => {
    const rules = (require('../.dependency-cruiser.js') as { forbidden: Array<{ name: string }> }).forbidden.map((r) => r.name).sort();
    const proven = [...new Set(EXPECTED.map((v) => /\(([a-z-]+)/.exec(v)![1]))].sort();
    expect(proven).toEqual(rules);
  });
});
