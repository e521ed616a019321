/**
 * Trusted documents through HTTP into the gateway, with the documents in a real registry (PostgreSQL) or
 * in manifest files: a client's document runs by its id (before APQ: an id APQ never saw answers), a
 * manifest published while the gateway runs is served without a restart, a safelisted client is refused
 * anything outside its manifest (by id or by text, also under a forged client name), verified free-form
 * roles still may send anything, and TRUSTED_DOCUMENTS=enforce refuses every client it does not know.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintToken } from './auth';
import { readTrustedDocumentsSettings, type TrustedDocumentsSettings } from './features/trusted-documents';
import { sha256Hex } from './trusted-manifest';
import { captureLogs } from '../platform/logger';
import { codeOf, messageOf, ok } from '../testing/assertions';
import { as, startTestGraph, TEST_JWT, type GqlResult, type TestGraph } from '../testing/harness';
import { ADMIN, startTestRegistry, type TestRegistry } from '../testing/registry';

const ME = 'query Me { me { id } }';
const ME_TYPENAME = 'query MeTyped { me { __typename id } }';
const OUTSIDE = 'query Outside { me { id __typename } }';
const manifest = (...bodies: string[]) => ({
  format: 'apollo-persisted-query-manifest',
  version: 1,
  operations: bodies.map((body) => ({ id: sha256Hex(body), name: /query (\w+)/.exec(body)![1], type: 'query', body })),
});
const byHash = (body: string) => ({ extensions: { persistedQuery: { version: 1, sha256Hash: sha256Hex(body) } } });

/** One request as a client app sends it: its name header, a token, any body. */
async function send(g: TestGraph, body: object, opts: { client?: string; token?: string } = {}): Promise<GqlResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${opts.token ?? (await g.token(as.customer('td-user')))}` };
  if (opts.client !== undefined) headers['apollographql-client-name'] = opts.client;
  const res = await fetch(g.url, { method: 'POST', headers, body: JSON.stringify(body) });
  return { ...((await res.json()) as GqlResult), status: res.status };
}

const health = async (g: TestGraph) => (await fetch(new URL('/health/trusted-documents', g.url))).json() as Promise<any>;

async function eventually(done: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const settings = (over: Partial<TrustedDocumentsSettings>): TrustedDocumentsSettings => ({ ...readTrustedDocumentsSettings({}, []), pollMs: 100, ...over });

describe('documents from the registry the gateway follows (TRUSTED_DOCUMENTS=per-client)', () => {
  let reg: TestRegistry;
  let g: TestGraph;
  beforeAll(async () => {
    reg = await startTestRegistry();
    g = await startTestGraph({
      gatewayConfig: {
        registry: { url: reg.url, token: await reg.token(ADMIN) },
        usage: { enabled: false, intervalMs: 10_000 },
        trustedDocuments: settings({ mode: 'per-client', freeformRoles: ['admin', 'analyst'] }),
      },
    });
  });
  afterAll(async () => {
    await g?.stop();
    await reg?.close();
  });

  const publish = (client: string, body: object) => reg.call('POST', `/v1/documents/${client}/publish`, { body });

  test('an id only: PersistedQueryNotFound until the client registers it, then its data, without a restart', async () => {
    const first = await send(g, byHash(ME), { client: 'web' });
    expect([first.status, codeOf(first)]).toEqual([200, 'PERSISTED_QUERY_NOT_FOUND']);
    expect((await publish('web', { manifest: manifest(ME) })).status).toBe(200);
    await eventually(async () => codeOf(await send(g, byHash(ME), { client: 'web' })) === 'OK');
    expect(ok(await send(g, byHash(ME), { client: 'web' }))).toEqual({ me: { id: 'td-user' } });
    // Another client's documents are its own: the id is not one of "ios"'s.
    expect(codeOf(await send(g, byHash(ME), { client: 'ios' }))).toBe('PERSISTED_QUERY_NOT_FOUND');
    // Not safelisted: web may still send other operations as text.
    expect(ok(await send(g, { query: OUTSIDE }, { client: 'web' }))).toEqual({ me: { id: 'td-user', __typename: 'User' } });
    expect(await health(g)).toMatchObject({ status: 'ok', mode: 'per-client', clients: [{ name: 'web', safelist: false, documents: 1 }], registry: { url: reg.url, reachable: true, lastError: null } });
  });

  describe('a client registered with safelist on', () => {
    beforeAll(async () => {
      expect((await publish('web-safe', { manifest: manifest(ME, ME_TYPENAME), safelist: true })).body).toMatchObject({ safelist: true, total: 2 });
      await eventually(async () => codeOf(await send(g, { query: OUTSIDE }, { client: 'web-safe' })) === 'PERSISTED_QUERY_NOT_IN_LIST');
    });

    test('runs its documents by id and by full text', async () => {
      expect(ok(await send(g, byHash(ME_TYPENAME), { client: 'web-safe' }))).toEqual({ me: { __typename: 'User', id: 'td-user' } });
      expect(ok(await send(g, { query: ME }, { client: 'web-safe' }))).toEqual({ me: { id: 'td-user' } });
      expect(ok(await send(g, { query: ME, ...byHash(ME) }, { client: 'web-safe' }))).toEqual({ me: { id: 'td-user' } });
    });

    test('an operation outside its manifest is refused with PERSISTED_QUERY_NOT_IN_LIST, by text, by id, or text under a listed id', async () => {
      const text = await send(g, { query: OUTSIDE }, { client: 'web-safe' });
      expect([text.status, codeOf(text), text.data]).toEqual([403, 'PERSISTED_QUERY_NOT_IN_LIST', undefined]);
      expect(messageOf(text)).toBe(`this operation (SHA-256 ${sha256Hex(OUTSIDE)}) is not one of the 2 trusted documents of the client "web-safe", which may run only those (register it with npm run schema -- documents publish); it was not run`);
      const id = await send(g, byHash(OUTSIDE), { client: 'web-safe' });
      expect([id.status, codeOf(id)]).toEqual([403, 'PERSISTED_QUERY_NOT_IN_LIST']);
      // The text is judged by its own hash, not by the listed id sent beside it.
      const smuggled = await send(g, { query: OUTSIDE, ...byHash(ME) }, { client: 'web-safe' });
      expect(codeOf(smuggled)).toBe('PERSISTED_QUERY_NOT_IN_LIST');
      // Refused before parsing: not even a syntax error or a schema suggestion leaks.
      expect(codeOf(await send(g, { query: '{ me { idd } ' }, { client: 'web-safe' }))).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    });

    test('a forged client name gets nothing past the safelist: the name is no credential, only a verified role is', async () => {
      // A customer claiming the safelisted name is held to its list like the app itself.
      expect(codeOf(await send(g, { query: OUTSIDE }, { client: 'web-safe' }))).toBe('PERSISTED_QUERY_NOT_IN_LIST');
      // A token claiming the admin role that does not verify is refused outright.
      const forged = (await mintToken({ ...TEST_JWT, secret: 'another-secret-that-is-long-enough' }, as.admin())) as string;
      expect((await send(g, { query: OUTSIDE }, { client: 'web-safe', token: forged })).status).toBe(401);
      // Verified free-form roles (TRUSTED_DOCUMENTS_FREEFORM_ROLES) may send anything, under any name.
      expect(ok(await send(g, { query: OUTSIDE }, { client: 'web-safe', token: await g.token(as.analyst()) }))).toEqual({ me: expect.anything() });
      expect(codeOf(await send(g, { query: OUTSIDE }, { client: 'web-safe', token: await g.token(as.admin()) }))).not.toBe('PERSISTED_QUERY_NOT_IN_LIST');
    });

    test('a refused operation is not registered as an automatic persisted query for anyone', async () => {
      const other = 'query NeverListed { me { id } }';
      expect(codeOf(await send(g, { query: other, ...byHash(other) }, { client: 'web-safe' }))).toBe('PERSISTED_QUERY_NOT_IN_LIST');
      expect(codeOf(await send(g, byHash(other), { client: 'web' }))).toBe('PERSISTED_QUERY_NOT_FOUND');
    });
  });
});

describe('documents from manifest files, TRUSTED_DOCUMENTS=enforce (no registry)', () => {
  let dir: string;
  let g: TestGraph;
  let file: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'trusted-docs-'));
    file = join(dir, 'web.json');
    writeFileSync(file, JSON.stringify(manifest(ME)));
    const problems: string[] = [];
    const read = readTrustedDocumentsSettings({ TRUSTED_DOCUMENTS: 'enforce', TRUSTED_DOCUMENTS_FILES: `web=${file}`, TRUSTED_DOCUMENTS_POLL_MS: '100' }, problems);
    expect(problems).toEqual([]);
    g = await startTestGraph({ gatewayConfig: { trustedDocuments: read } });
  });
  afterAll(async () => {
    await g?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("a registered client gets its documents by id and text, and nothing else", async () => {
    expect(ok(await send(g, byHash(ME), { client: 'web' }))).toEqual({ me: { id: 'td-user' } });
    expect(ok(await send(g, { query: ME }, { client: 'web' }))).toEqual({ me: { id: 'td-user' } });
    expect(codeOf(await send(g, { query: OUTSIDE }, { client: 'web' }))).toBe('PERSISTED_QUERY_NOT_IN_LIST');
  });

  test('a request naming no client, or a client nobody registered (a forged name), is refused', async () => {
    const none = await send(g, { query: ME });
    expect([none.status, codeOf(none)]).toEqual([403, 'PERSISTED_QUERY_NOT_IN_LIST']);
    expect(messageOf(none)).toContain('the request names no client (send apollographql-client-name)');
    const madeUp = await send(g, { query: ME }, { client: 'internal-tool' });
    expect(messageOf(madeUp)).toContain('the client "internal-tool" (apollographql-client-name) has no trusted documents');
    expect(codeOf(await send(g, byHash(ME), { client: 'internal-tool' }))).toBe('PERSISTED_QUERY_NOT_IN_LIST');
  });

  test('an admin token (the default free-form role) may send free-form operations with no client name', async () => {
    expect(ok(await send(g, { query: OUTSIDE }, { token: await g.token(as.admin()) }))).toEqual({ me: expect.anything() });
    expect(codeOf(await send(g, { query: OUTSIDE }, { token: await g.token(as.analyst()) }))).toBe('PERSISTED_QUERY_NOT_IN_LIST');
  });

  test('a new version of the manifest file is served without a restart; an invalid one is refused and the last good kept', async () => {
    writeFileSync(file, JSON.stringify(manifest(ME, ME_TYPENAME)));
    await eventually(async () => codeOf(await send(g, byHash(ME_TYPENAME), { client: 'web' })) === 'OK');
    const logs = captureLogs();
    try {
      writeFileSync(file, '{ "format": "apollo-persisted-query-manifest", "version": 1, "operations": [');
      await eventually(async () => logs.lines().some((l) => l.msg === 'a trusted-documents manifest file is refused; its last good documents are kept' && String(l.reason).includes('the manifest is not JSON')));
    } finally {
      logs.stop();
    }
    expect(codeOf(await send(g, byHash(ME), { client: 'web' }))).toBe('OK');
    expect(codeOf(await send(g, byHash(ME_TYPENAME), { client: 'web' }))).toBe('OK');
    expect(await health(g)).toMatchObject({ status: 'degraded', mode: 'enforce', clients: [{ name: 'web', documents: 2 }], files: [{ client: 'web', loaded: true, lastError: expect.stringContaining('the manifest is not JSON') }] });
  });
});

test('bad TRUSTED_DOCUMENTS* values stop start-up, each named, a bad manifest file with its operation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trusted-docs-'));
  try {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ ...manifest(ME), operations: [{ ...manifest(ME).operations[0], id: sha256Hex('x') }] }));
    const problems: string[] = [];
    readTrustedDocumentsSettings({ TRUSTED_DOCUMENTS: 'strict', TRUSTED_DOCUMENTS_FILES: `web=${file},nonsense`, TRUSTED_DOCUMENTS_SAFELIST: 'ios', TRUSTED_DOCUMENTS_FREEFORM_ROLES: 'admin,root', TRUSTED_DOCUMENTS_POLL_MS: '5' }, problems);
    expect(problems).toEqual([
      'TRUSTED_DOCUMENTS="strict" must be off, per-client, enforce',
      expect.stringMatching(new RegExp(`^TRUSTED_DOCUMENTS_FILES: ${file} \\(client web\\): the manifest is refused \\(1 problem\\): operations\\[0\\] \\(Me\\): id [0-9a-f]{64} is not the SHA-256 of its body`)),
      'TRUSTED_DOCUMENTS_FILES: "nonsense" is not client=path (a client name: letters, digits, \'.\', \'_\', \'-\'; e.g. web=manifests/web.json)',
      'TRUSTED_DOCUMENTS_SAFELIST: "ios" has no manifest in TRUSTED_DOCUMENTS_FILES',
      'TRUSTED_DOCUMENTS_FREEFORM_ROLES: "root" is not a role (customer, partner, analyst, admin)',
      'TRUSTED_DOCUMENTS_POLL_MS="5" must be a whole number from 100 to 600000',
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a gateway whose registry does not answer starts, says so, and in enforce mode answers only free-form roles (fails closed)', async () => {
  // A port that was free a moment ago: nothing listens there.
  const { createServer } = await import('node:net');
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  const logs = captureLogs();
  let g: TestGraph | undefined;
  try {
    g = await startTestGraph({
      gatewayConfig: { registry: { url: `http://127.0.0.1:${port}`, token: 'unused' }, usage: { enabled: false, intervalMs: 10_000 }, trustedDocuments: settings({ mode: 'enforce' }) },
    });
    expect(logs.lines().some((l) => l.msg === 'cannot load trusted documents from the registry; serving the ones loaded before')).toBe(true);
    expect(codeOf(await send(g, { query: ME }, { client: 'web' }))).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    expect(ok(await send(g, { query: ME }, { client: 'web', token: await g.token(as.admin()) }))).toEqual({ me: expect.anything() });
    expect(await health(g)).toMatchObject({ status: 'degraded', clients: [], loadedAt: null, registry: { reachable: false, lastError: expect.stringMatching(/fetch failed|ECONNREFUSED/) } });
  } finally {
    logs.stop();
    await g?.stop();
  }
});
