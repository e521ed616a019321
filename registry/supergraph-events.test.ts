/**
 * How the registry tells followers that the supergraph changed: `GET /v1/supergraph` carries the
 * supergraph id as its ETag and answers 304 to a follower that already has it; `GET /v1/supergraph/events`
 * streams the current id on connect and each new one as a publish makes it current (heartbeats between),
 * and refuses callers the route does not admit; `GET /v1/subgraphs?sdl=true` gives each current SDL.
 */
import { supergraphId } from '../gateway/supergraph-source';
import { as } from '../testing/harness';
import { SHOP, productExtension, startTestRegistry, urlOf, type TestRegistry } from '../testing/registry';

let reg: TestRegistry;
beforeAll(async () => {
  reg = await startTestRegistry();
});
afterAll(() => reg?.close());

const publish = (name: string, schema: string) => reg.call('POST', `/v1/subgraphs/${name}/publish`, { body: { schema, url: urlOf(name) } });

/** Opens the events stream and collects the ids it sends. */
async function openEvents(token: string) {
  const abort = new AbortController();
  const res = await fetch(`${reg.url}/v1/supergraph/events`, { headers: { authorization: `Bearer ${token}` }, signal: abort.signal });
  const ids: Array<string | null> = [];
  let text = '';
  const reading = (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        text += decoder.decode(chunk, { stream: true });
        const all = [...text.matchAll(/event: supergraph\ndata: (.*)\n\n/g)].map((m) => JSON.parse(m[1]).id as string | null);
        ids.push(...all.slice(ids.length));
      }
    } catch {
      // aborted
    }
  })();
  const until = async (done: () => boolean) => {
    // Up to 30 s: on a loaded machine a notification can take seconds; the test is about order, not speed.
    for (let i = 0; i < 600 && !done(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(done()).toBe(true);
  };
  return { res, ids, text: () => text, until, close: () => (abort.abort(), reading) };
}

test('before anything is published the stream says there is no supergraph; each publish then sends the new id, in order', async () => {
  const events = await openEvents(await reg.token(as.admin()));
  expect(events.res.status).toBe(200);
  expect(events.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  await events.until(() => events.ids.length === 1);
  expect(events.ids).toEqual([null]);

  const first = await publish('products', SHOP.products);
  const second = await publish('reviews', SHOP.reviews);
  await events.until(() => events.ids.length === 3);
  expect(events.ids).toEqual([null, first.body.supergraphId, second.body.supergraphId]);
  // A refused publish (breaking) notifies nothing: its transaction wrote nothing.
  expect((await publish('products', SHOP.products.replace('colour: Colour', ''))).status).toBe(409);
  await new Promise((r) => setTimeout(r, 300));
  expect(events.ids).toHaveLength(3);
  await events.close();

  // A follower connecting now gets the current one at once.
  const late = await openEvents(await reg.token(as.admin()));
  await late.until(() => late.ids.length === 1);
  expect(late.ids).toEqual([second.body.supergraphId]);
  await late.close();
}, 90_000);

test('GET /v1/supergraph has the supergraph id as its ETag and answers 304 when the caller has it', async () => {
  const res = await reg.call('GET', '/v1/supergraph');
  expect(res.status).toBe(200);
  expect(res.headers.get('etag')).toBe(`"${res.body.id}"`);
  expect(supergraphId(res.body.sdl)).toBe(res.body.id);
  const token = await reg.token(as.admin());
  const again = await fetch(`${reg.url}/v1/supergraph`, { headers: { authorization: `Bearer ${token}`, 'if-none-match': `"${res.body.id}"` } });
  expect(again.status).toBe(304);
  expect(await again.text()).toBe('');
  const stale = await fetch(`${reg.url}/v1/supergraph`, { headers: { authorization: `Bearer ${token}`, 'if-none-match': '"an-older-id", W/"another"' } });
  expect(stale.status).toBe(200);
  // Without a token the ETag does not help: 401 before anything is read.
  const anonymous = await fetch(`${reg.url}/v1/supergraph`, { headers: { 'if-none-match': `"${res.body.id}"` } });
  expect(anonymous.status).toBe(401);
});

test('the stream sends heartbeats between events, so a follower can tell a quiet stream from a dead one', async () => {
  const { startRegistry } = await import('./server');
  const { TEST_JWT } = await import('../testing/harness');
  const quick = await startRegistry({ db: reg.db, jwt: TEST_JWT, port: 0, heartbeatMs: 100 });
  try {
    const res = await fetch(`${quick.url}/v1/supergraph/events`, { headers: { authorization: `Bearer ${await reg.token(as.admin())}` } });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while (!text.includes(': heartbeat')) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toContain('event: supergraph');
    await reader.cancel();
  } finally {
    await quick.stop();
  }
});

test('the events route refuses a missing or forged token and a customer or partner; it takes only GET', async () => {
  const url = `${reg.url}/v1/supergraph/events`;
  expect((await fetch(url)).status).toBe(401);
  expect((await fetch(url, { headers: { authorization: 'Bearer not.a.jwt' } })).status).toBe(401);
  expect((await fetch(url, { headers: { authorization: `Bearer ${await reg.token(as.customer('u-1'))}` } })).status).toBe(403);
  expect((await fetch(url, { headers: { authorization: `Bearer ${await reg.token(as.partner('p-1', 'org-1'))}` } })).status).toBe(403);
  const post = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${await reg.token(as.admin())}` } });
  expect(post.status).toBe(405);
});

test('GET /v1/subgraphs?sdl=true adds each current SDL; without it there is none; another value is refused naming sdl', async () => {
  await publish('extras', productExtension('rating'));
  const plain = await reg.call('GET', '/v1/subgraphs');
  expect(plain.body.subgraphs.map((s: { name: string; sdl?: string }) => [s.name, s.sdl])).toEqual([
    ['extras', undefined],
    ['products', undefined],
    ['reviews', undefined],
  ]);
  const full = await reg.call('GET', '/v1/subgraphs?sdl=true');
  expect(full.body.subgraphs.map((s: { name: string; sdl: string }) => [s.name, s.sdl])).toEqual([
    ['extras', productExtension('rating')],
    ['products', SHOP.products],
    ['reviews', SHOP.reviews],
  ]);
  const bad = await reg.call('GET', '/v1/subgraphs?sdl=yes');
  expect(bad.status).toBe(400);
  expect(bad.body.error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'sdl', message: expect.stringContaining('sdl') });
  expect((await reg.call('GET', '/v1/subgraphs?sdl=true', { as: as.customer('u-1') })).status).toBe(403);
});

test('on the embedded PGlite the one registry process hears its own publishes', async () => {
  const embedded = await startTestRegistry({ db: 'pglite' });
  try {
    const abort = new AbortController();
    const res = await fetch(`${embedded.url}/v1/supergraph/events`, { headers: { authorization: `Bearer ${await embedded.token(as.admin())}` }, signal: abort.signal });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const published = await embedded.call('POST', '/v1/subgraphs/products/publish', { body: { schema: SHOP.products, url: urlOf('products') } });
    expect(published.status).toBe(200);
    let text = '';
    while (!text.includes(published.body.supergraphId)) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toContain(`data: {"id":"${published.body.supergraphId}"}`);
    abort.abort();
  } finally {
    await embedded.close();
  }
}, 90_000); // a fresh embedded database takes seconds to initialise on a busy machine
