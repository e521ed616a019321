/**
 * `npm run schema` as a partner's CI runs it — a separate process talking HTTP to a registry on real
 * PostgreSQL — and `npm run registry` as its own process: publish-tree makes a fresh registry hold today's
 * graph, check's exit status gates on composition and breaking changes, publish needs --allow-breaking,
 * and usage errors are exit 2.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { derivedSubgraphs, graphFolders } from '../stack/graph';
import { ADMIN, startTestRegistry, type TestRegistry } from '../testing/registry';

// Each test runs the CLI as several real processes (about 1-5 s each to start on a loaded 2-core machine).
jest.setTimeout(180_000);

const root = resolve(__dirname, '..');
let reg: TestRegistry;
let dir: string;
let adminToken: string;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a script of this tree under tsx as its own process (never blocking this one: the registry answers here). */
function runScript(script: string, args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [require.resolve('tsx/cli'), join(root, script), ...args], { cwd: root, env: { ...process.env, NODE_OPTIONS: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', fail);
    child.on('close', (status) => {
      clearTimeout(timer);
      done({ status, stdout, stderr });
    });
  });
}

const schemaCli = (args: string[], env: NodeJS.ProcessEnv = { AUTOGRAPH_TOKEN: adminToken }) => runScript('scripts/schema.ts', [args[0], '--registry', reg.url, ...args.slice(1)], env);

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

beforeAll(async () => {
  // Deriving spending as `npm run registry` does.
  reg = await startTestRegistry({ derived: derivedSubgraphs() });
  adminToken = await reg.token(ADMIN);
  dir = mkdtempSync(join(tmpdir(), 'autograph-schema-cli-'));
});
afterAll(async () => {
  await reg.close();
  rmSync(dir, { recursive: true, force: true });
});

const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])';
const extra = (fields: string) => `${LINK}\ntype Query { ${fields} }\n`;

describe('in order, on one registry', () => {
  test('publish-tree makes a fresh registry hold this tree: list, history and fetch show it, and its supergraph is the committed one', async () => {
    const published = await schemaCli(['publish-tree']);
    expect(published.stderr).toBe('');
    expect(published.status).toBe(0);
    const folders = graphFolders();
    expect(published.stdout).toContain(`✓ published ${folders.map((f) => `${f.mod.name} v1`).join(', ')}`);

    const list = await schemaCli(['list', '--json']);
    expect(JSON.parse(list.stdout).subgraphs.map((s: any) => [s.name, s.version, s.routingUrl])).toEqual(
      folders.map((f) => [f.mod.name, 1, f.source.routingUrl]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    const history = await schemaCli(['history', '--name', 'orders']);
    expect(history.stdout).toMatch(/^v1 +published +http:\/\/127\.0\.0\.1:\d+\/graphql .* by admin-1 {2}supergraph [0-9a-f]{12}\n$/);
    const fetched = await schemaCli(['fetch', '--name', 'catalog']);
    expect(fetched.stdout).toBe(readFileSync(join(root, 'subgraphs/catalog/schema.graphql'), 'utf8'));
    expect((await schemaCli(['fetch', '--name', 'catalog', '--version', '1'])).stdout).toBe(fetched.stdout);

    // The registry composes exactly what `npm run compose` committed (the file adds a header line).
    const committed = readFileSync(join(root, 'schema/supergraph.graphql'), 'utf8').replace(/^#.*\n/, '').trimEnd();
    expect((await reg.call('GET', '/v1/supergraph')).body.sdl.trimEnd()).toBe(committed);

    const again = await schemaCli(['publish-tree']);
    expect([again.status, again.stdout]).toEqual([0, expect.stringMatching(/^= unchanged: /)]);
  });

  test('check: a new field is safe (exit 0); one that does not compose prints its errors (exit 1)', async () => {
    const safe = await schemaCli(['check', '--name', 'extras', '--schema', file('safe.graphql', extra('extrasHello: String'))]);
    expect(safe.status).toBe(0);
    expect(safe.stdout).toContain('changes for clients: 0 breaking, 0 dangerous, 1 safe');
    expect(safe.stdout).toMatch(/safe +Query\.extrasHello +Field 'extrasHello' was added/);

    // `me` belongs to orders: another subgraph's `me` of another type does not compose.
    const clash = await schemaCli(['check', '--name', 'extras', '--schema', file('clash.graphql', extra('me: Int'))]);
    expect(clash.status).toBe(1);
    expect(clash.stdout).toMatch(/✗ does not compose: \d+ errors?\n {2}\[[A-Z_]+\] [a-z, ]*extras[a-z, ]*: /);
    const json = await schemaCli(['check', '--name', 'extras', '--schema', file('clash.graphql', extra('me: Int')), '--json']);
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ composes: false, errors: expect.arrayContaining([expect.objectContaining({ code: 'INVALID_FIELD_SHARING', subgraphs: ['extras', 'orders'] })]) });
  });

  test('publish, then removing a field: check exit 1, publish refused without --allow-breaking and accepted with', async () => {
    const url = 'http://127.0.0.1:4999/graphql';
    const first = await schemaCli(['publish', '--name', 'extras', '--url', url, '--schema', file('v1.graphql', extra('extrasHello: String extrasBye: String'))]);
    expect([first.status, first.stdout]).toEqual([0, expect.stringContaining('✓ published extras v1')]);

    const v2 = file('v2.graphql', extra('extrasHello: String'));
    const checked = await schemaCli(['check', '--name', 'extras', '--schema', v2]);
    expect(checked.status).toBe(1);
    expect(checked.stdout).toMatch(/breaking +Query\.extrasBye +Field 'extrasBye' .*removed/);
    const refused = await schemaCli(['publish', '--name', 'extras', '--url', url, '--schema', v2]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/1 breaking change.*\[BREAKING_CHANGES\]/);
    expect((await schemaCli(['history', '--name', 'extras', '--json'])).stdout).toMatch(/"version": 1\b/);
    expect(JSON.parse((await schemaCli(['history', '--name', 'extras', '--json'])).stdout).versions).toHaveLength(1);

    const allowed = await schemaCli(['publish', '--name', 'extras', '--url', url, '--schema', v2, '--allow-breaking']);
    expect([allowed.status, allowed.stdout]).toEqual([0, expect.stringContaining('✓ published extras v2')]);
  });

  test('remove needs --allow-breaking for a breaking removal, then list lacks the name and history records it; rollback restores v2 as v4', async () => {
    const refused = await schemaCli(['remove', '--name', 'extras']);
    expect([refused.status, refused.stderr]).toEqual([1, expect.stringMatching(/removing extras makes 1 breaking change.*\[BREAKING_CHANGES\]/)]);
    const removed = await schemaCli(['remove', '--name', 'extras', '--allow-breaking']);
    expect([removed.status, removed.stdout]).toEqual([0, expect.stringMatching(/^✓ removed extras \(recorded as v3\); current supergraph [0-9a-f]{12}\n/)]);
    expect((await schemaCli(['list'])).stdout).not.toMatch(/^extras /m);
    expect((await schemaCli(['history', '--name', 'extras'])).stdout).toMatch(/\nv3 +removed +- /);
    expect((await reg.call('GET', '/v1/supergraph')).body.sdl).not.toMatch(/extrasHello/);

    const restored = await schemaCli(['rollback', '--name', 'extras']);
    expect([restored.status, restored.stdout]).toEqual([0, expect.stringMatching(/^↺ restored v2 of extras\n✓ published extras v4/)]);
    expect((await schemaCli(['fetch', '--name', 'extras'])).stdout).toBe(extra('extrasHello: String'));
    const current = await schemaCli(['rollback', '--name', 'extras', '--to', '4']);
    expect([current.status, current.stderr]).toEqual([1, expect.stringMatching(/v4 is the current version of extras; .*\[BAD_USER_INPUT\]/)]);
  });

  test('publishing and removing a spending contributor prints what the registry re-derived in spending', async () => {
    const insurer = join(root, 'testing/fixtures/insurer/schema.graphql');
    const published = await schemaCli(['publish', '--name', 'insurer', '--url', 'http://127.0.0.1:4997/graphql', '--schema', insurer]);
    expect(published.status).toBe(0);
    expect(published.stdout).toMatch(/^✓ published insurer v1, spending v2; current supergraph [0-9a-f]{12}\nderived by the registry: spending v2 \(\+InsurerSpendingBucket \+InsurerSpendingBucket\.amount .*\+InsurerSpendingLineContribution\.category … \d+ more\)/);
    expect((await schemaCli(['history', '--name', 'spending'])).stdout).toMatch(/\nv2 .* by registry: derived after insurer v1 {2}supergraph/);
    const removed = await schemaCli(['remove', '--name', 'insurer', '--allow-breaking']);
    expect([removed.status, removed.stdout]).toEqual([0, expect.stringMatching(/\nderived by the registry: spending v3 \(-InsurerSpendingBucket /)]);
  });
});

test('check with usage: an unused removal is safe to ship (exit 0) with the window; a used one lists its operation and clients (exit 1); --json carries it', async () => {
  const url = 'http://127.0.0.1:4999/graphql';
  const both = await schemaCli(['publish', '--name', 'extras', '--url', url, '--schema', file('both.graphql', extra('extrasHello: String extrasSpare: String'))]);
  expect(both.status).toBe(0);
  const hash = 'ab'.repeat(32);
  const reported = await reg.call('POST', '/v1/usage', {
    body: { operations: [{ hash, name: 'ExtrasPage', document: 'query ExtrasPage {\n  extrasHello\n}', clients: [{ name: 'ios-app', version: '2.0', count: 3, coordinates: { 'Query.extrasHello': 3 } }] }] },
  });
  expect(reported.status).toBe(200);

  const unused = await schemaCli(['check', '--name', 'extras', '--schema', file('hello.graphql', extra('extrasHello: String'))]);
  expect(unused.status).toBe(0);
  expect(unused.stdout).toMatch(/breaking +Query\.extrasSpare .*\n +✓ safe to ship: no operation used it in the last 30 days \(1 operation, 1 client reported\)/);
  expect(unused.stdout).toMatch(/usage: the last 30 days \(since \d{4}-.*\): 1 operation and 1 client reported/);

  const used = await schemaCli(['check', '--name', 'extras', '--schema', file('spare.graphql', extra('extrasSpare: String'))]);
  expect(used.status).toBe(1);
  expect(used.stdout).toMatch(/breaking +Query\.extrasHello .*\n +used by 1 operation:\n +ExtrasPage ababababab[0-9a-f]{2}: 3 calls, last \d{4}-[^;]+; ios-app 2\.0 ×3\n/);
  expect(used.stdout).toContain('✗ 1 breaking change in use: publishing needs --allow-breaking');

  const json = await schemaCli(['check', '--name', 'extras', '--schema', file('spare.graphql', extra('extrasSpare: String')), '--json', '--usage-days', '7']);
  expect(json.status).toBe(1);
  expect(JSON.parse(json.stdout)).toMatchObject({ blocking: 1, usage: { days: 7, operations: 1 }, changes: [{ path: 'Query.extrasHello', usage: { operations: [{ name: 'ExtrasPage', clients: [{ name: 'ios-app', version: '2.0', count: 3 }] }] } }] });
  const bad = await schemaCli(['check', '--name', 'extras', '--schema', file('spare.graphql', extra('extrasSpare: String')), '--usage-days', 'week']);
  expect([bad.status, bad.stderr]).toEqual([2, expect.stringMatching(/--usage-days must be a number of days/)]);
});

test('refusals: no token and a customer token change nothing (exit 1, the reason printed); bad SDL names the field', async () => {
  const v = file('x.graphql', extra('refusedField: String'));
  const none = await schemaCli(['publish', '--name', 'refused', '--url', 'http://127.0.0.1:4998/graphql', '--schema', v], { AUTOGRAPH_TOKEN: '' });
  expect([none.status, none.stderr]).toEqual([1, expect.stringMatching(/^error: sign in: .*\[UNAUTHENTICATED\]/)]);
  const customer = await reg.token({ sub: 'user-1', role: 'customer' });
  const cust = await schemaCli(['publish', '--name', 'refused', '--url', 'http://127.0.0.1:4998/graphql', '--schema', v, '--token', customer]);
  expect([cust.status, cust.stderr]).toEqual([1, expect.stringMatching(/role customer may not use it \[FORBIDDEN\]/)]);
  expect((await reg.call('GET', '/v1/subgraphs/refused/versions')).status).toBe(404);
  const broken = await schemaCli(['check', '--name', 'refused', '--schema', file('broken.graphql', 'type Query {')]);
  expect([broken.status, broken.stderr]).toEqual([1, expect.stringMatching(/^error: schema: does not parse: Syntax Error/)]);
});

test.each([
  [['check', '--name', 'x', '--schema', 'a.graphql', '--colour', 'red'], /unknown flag --colour/],
  [['check', '--schema', 'a.graphql'], /--name is required/],
  [['publish', '--name', 'x', '--schema', '/nonexistent/a.graphql', '--url', 'http://x/graphql'], /cannot read it \(ENOENT\)/],
  [['fetch', '--name', 'x', '--version', 'two'], /--version must be a version number/],
  [['delete', '--name', 'x'], /unknown command "delete"/],
  [['rollback', '--name', 'x', '--to', 'two'], /--to must be a version number/],
  [['key'], /key needs a sub-command: key create, key list or key revoke/],
  [['key', 'rotate'], /unknown command "key rotate": key create, key list or key revoke/],
  [['key', 'create', '--org', 'insurer-co'], /--kind is required/],
  [['key', 'create', '--kind', 'root'], /--kind must be one of admin, gateway, partner, not "root"/],
  [['key', 'create', '--kind', 'partner'], /--org is required for a partner key/],
  [['key', 'create', '--kind', 'gateway', '--org', 'insurer-co'], /--org belongs to partner keys only/],
  [['key', 'create', '--kind', 'partner', '--org'], /--org needs a value/],
  [['key', 'revoke'], /--id is required/],
  [['key', 'list', '--org', 'x'], /unknown flag --org/],
  [['grant', '--org', 'insurer-co'], /--name is required/],
  [['ungrant', '--name', 'insurer'], /--org is required/],
  [['grants', '--all'], /unknown flag --all/],
  [['grant', '--org', 'evil-co', '--name', 'orders', '--force=yes'], /--force takes no value/],
  [['ungrant', '--org', 'evil-co', '--name', 'orders', '--force'], /unknown flag --force/],
])('usage errors are exit 2: %j', async (args, message) => {
  const res = await runScript('scripts/schema.ts', args);
  expect([res.status, res.stderr]).toEqual([2, expect.stringMatching(message)]);
});

test('npm run registry: its own process on an embedded PGlite, answering /health; bad variables stop it with one message each', async () => {
  const bad = await runScript('scripts/registry.ts', [], { REGISTRY_PORT: 'abc', DATABASE_URL: 'mysql://x', REGISTRY_MAX_BODY_BYTES: '1' });
  expect(bad.status).toBe(2);
  expect(bad.stderr).toMatch(/REGISTRY_PORT="abc" is not a TCP port/);
  expect(bad.stderr).toMatch(/DATABASE_URL="mysql:\/\/x" is not a postgres:\/\/ or postgresql:\/\/ URL/);
  expect(bad.stderr).toMatch(/REGISTRY_MAX_BODY_BYTES="1" must be a whole number from 1024/);

  const pglite = join(dir, 'pglite');
  const child = spawn(process.execPath, [require.resolve('tsx/cli'), join(root, 'scripts/registry.ts'), '--port', '0'], {
    cwd: root,
    env: { ...process.env, NODE_OPTIONS: '', DATABASE_URL: '', REGISTRY_PGLITE_DIR: pglite },
  });
  try {
    const url = await new Promise<string>((done, fail) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = /schema registry (http:\/\/\S+) on PGlite in /.exec(out);
        if (m) done(m[1]);
      });
      child.on('close', (code) => fail(new Error(`registry exited ${code}: ${out}`)));
    });
    expect(await (await fetch(`${url}/health`)).json()).toEqual({ status: 'ok' });
    expect((await fetch(`${url}/v1/subgraphs`)).status).toBe(401);
  } finally {
    child.kill('SIGTERM');
  }
});

/** `key <sub-command>` with the test registry (schemaCli puts --registry after the first word). */
const keyCli = (args: string[]) => runScript('scripts/schema.ts', ['key', args[0], '--registry', reg.url, ...args.slice(1)], { AUTOGRAPH_TOKEN: adminToken });

test('keys and grants: an admin issues a partner key and grants it a name; the partner publishes only that name (recorded as its key) until its key is revoked', async () => {
  const created = await keyCli(['create', '--kind', 'partner', '--org', 'insurer-co', '--label', 'insurer CI']);
  expect(created.status).toBe(0);
  const secret = created.stdout.trim();
  const id = /^agk_([0-9a-f]{16})_[A-Za-z0-9_-]{43}$/.exec(secret)?.[1];
  expect(id).toBeDefined();
  expect(created.stderr).toMatch(new RegExp(`^✓ created partner key ${id} for insurer-co \\(insurer CI\\): its secret \\(above\\) is shown only this once`));
  expect((await keyCli(['list'])).stdout).toMatch(new RegExp(`^${id} +partner +insurer-co +insurer CI +created .* by admin-1, last used never$`, 'm'));
  expect((await schemaCli(['grant', '--org', 'insurer-co', '--name', 'roadside'])).stdout).toMatch(/^✓ granted roadside to insurer-co/);
  expect((await schemaCli(['grant', '--org', 'insurer-co', '--name', 'roadside'])).stdout).toMatch(/^= insurer-co already holds roadside/);
  const taken = await schemaCli(['grant', '--org', 'charging-co', '--name', 'roadside']);
  expect([taken.status, taken.stderr]).toEqual([1, expect.stringMatching(/granted to insurer-co; revoke that grant first .*\[CONFLICT\]/)]);
  expect((await schemaCli(['grants', '--json'])).stdout).toMatch(/"org": "insurer-co",\s+"name"|"name": "roadside",\s+"org": "insurer-co"/);

  const partner = { AUTOGRAPH_TOKEN: secret };
  const schema = file('insurer.graphql', extra('insurerQuote: String'));
  const published = await schemaCli(['publish', '--name', 'roadside', '--url', 'http://127.0.0.1:4997/graphql', '--schema', schema], partner);
  expect([published.status, published.stdout]).toEqual([0, expect.stringContaining('✓ published roadside v1')]);
  expect((await schemaCli(['history', '--name', 'roadside'], partner)).stdout).toContain(`by partner:insurer-co/key:${id}`);
  expect((await schemaCli(['list'], partner)).stdout).toMatch(/^roadside +v1 /);
  expect((await schemaCli(['whoami'], partner)).stdout).toBe(`partner of insurer-co: acts as partner:insurer-co/key:${id}\ngranted: roadside\n`);
  const other = await schemaCli(['publish', '--name', 'orders', '--url', 'http://127.0.0.1:4997/graphql', '--schema', schema], partner);
  expect([other.status, other.stderr]).toEqual([1, expect.stringMatching(new RegExp(`^error: the partner key ${id} of insurer-co may not use subgraph orders: it is not granted to the organisation insurer-co .*\\[FORBIDDEN\\]`))]);
  const admin = await schemaCli(['grants'], partner);
  expect([admin.status, admin.stderr]).toEqual([1, expect.stringMatching(/^error: GET \/v1\/grants is for admins only/)]);

  expect((await keyCli(['revoke', '--id', id!])).stdout).toMatch(new RegExp(`^✓ revoked partner key ${id} of insurer-co`));
  const revoked = await schemaCli(['check', '--name', 'roadside', '--schema', schema], partner);
  expect([revoked.status, revoked.stderr]).toEqual([1, expect.stringMatching(new RegExp(`^error: the registry key ${id} was revoked at .*\\[UNAUTHENTICATED\\]`))]);
  expect((await schemaCli(['ungrant', '--org', 'insurer-co', '--name', 'roadside'])).stdout).toMatch(/^✓ revoked insurer-co's grant of roadside/);
  expect((await schemaCli(['grants'])).stdout).toBe('no subgraph name is granted to any organisation\n');
});

test("grant refuses the graph's own names: a derived one always, one an admin published unless --force", async () => {
  const derived = await schemaCli(['grant', '--org', 'evil-co', '--name', 'spending', '--force']);
  expect([derived.status, derived.stderr]).toEqual([1, expect.stringMatching(/^error: spending is a derived subgraph: .*can never be granted .*\[FORBIDDEN\]/)]);
  const own = await schemaCli(['grant', '--org', 'evil-co', '--name', 'orders']);
  expect([own.status, own.stderr]).toEqual([1, expect.stringMatching(/^error: orders is one of the graph's own subgraphs: its current version v\d+ was published by admin-1, not a partner key.*npm run schema -- grant --force.*\[CONFLICT\]/)]);
  expect((await schemaCli(['grants'])).stdout).toBe('no subgraph name is granted to any organisation\n');
  const forced = await schemaCli(['grant', '--org', 'evil-co', '--name', 'orders', '--force']);
  expect([forced.status, forced.stdout]).toEqual([0, expect.stringMatching(/^✓ granted orders to evil-co/)]);
  expect((await schemaCli(['ungrant', '--org', 'evil-co', '--name', 'orders'])).status).toBe(0);
});

const documentsCli = (args: string[], env: NodeJS.ProcessEnv = { AUTOGRAPH_TOKEN: adminToken }) => runScript('scripts/schema.ts', ['documents', args[0], '--registry', reg.url, ...args.slice(1)], env);

test("documents: a team's key granted its client publishes the manifest with --safelist, again additively, and lists it; a wrong operation, another client or no token is refused (exit 1)", async () => {
  const { createHash } = await import('node:crypto');
  const op = (body: string) => ({ id: createHash('sha256').update(body).digest('hex'), name: /query (\w+)/.exec(body)![1], type: 'query', body });
  const manifest = (...bodies: string[]) => file(`manifest-${bodies.length}.json`, JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations: bodies.map(op) }));
  const key = (await keyCli(['create', '--kind', 'partner', '--org', 'web-team'])).stdout.trim();
  expect((await documentsCli(['grant', '--client', 'web', '--org', 'web-team'])).stdout).toMatch(/^✓ granted client web to web-team/);
  const team = { AUTOGRAPH_TOKEN: key };

  const first = await documentsCli(['publish', '--client', 'web', '--manifest', manifest('query Me { me { id } }'), '--safelist'], team);
  expect([first.status, first.stderr]).toEqual([0, '']);
  expect(first.stdout).toBe('✓ web: 1 new document, 0 already registered; 1 document in all\nsafelist on: with TRUSTED_DOCUMENTS=per-client or enforce, web may run only its documents\n');
  const second = await documentsCli(['publish', '--client', 'web', '--manifest', manifest('query Me { me { id } }', 'query Models { models { id } }')], team);
  expect(second.stdout).toMatch(/^✓ web: 1 new document, 1 already registered; 2 documents in all\nsafelist on/);
  const list = await documentsCli(['list', '--client', 'web'], team);
  expect(list.stdout).toMatch(/^web: 2 documents, safelist on, published by web-team's keys and admins\n[0-9a-f]{64} {2}query +Me .* by partner:web-team\/key:[0-9a-f]{16}\n[0-9a-f]{64} {2}query +Models /);

  const wrong = file('wrong.json', JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations: [{ ...op('query Me { me { id } }'), body: 'query Me { me { name } }' }] }));
  const refused = await documentsCli(['publish', '--client', 'web', '--manifest', wrong], team);
  expect([refused.status, refused.stderr]).toEqual([1, expect.stringMatching(/^error: manifest: the manifest is refused \(1 problem\): operations\[0\] \(Me\): id [0-9a-f]{64} is not the SHA-256 of its body .*\[BAD_USER_INPUT\]/)]);
  const other = await documentsCli(['publish', '--client', 'ios', '--manifest', manifest('query Me { me { id } }')], team);
  expect([other.status, other.stderr]).toEqual([1, expect.stringMatching(/may not use the trusted documents of client ios: it is granted to no organisation.*\[FORBIDDEN\]/)]);
  const none = await documentsCli(['publish', '--client', 'web', '--manifest', manifest('query Me { me { id } }')], { AUTOGRAPH_TOKEN: '' });
  expect([none.status, none.stderr]).toEqual([1, expect.stringMatching(/\[UNAUTHENTICATED\]/)]);
  const notJson = await documentsCli(['publish', '--client', 'web', '--manifest', file('x.json', '{')], team);
  expect([notJson.status, notJson.stderr]).toEqual([2, expect.stringMatching(/^error: --manifest .*x\.json: not JSON/)]);
  expect((await documentsCli(['list', '--client', 'web'], team)).stdout).toMatch(/^web: 2 documents/);
  // Ten CLI processes: each starts tsx, a few seconds on a loaded 2-core machine.
}, 180_000);
