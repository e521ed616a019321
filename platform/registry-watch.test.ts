/**
 * The registry watcher against a stand-in registry over real HTTP: one `onChange` per new id however many
 * times the stream and the poll report it; a stream that goes silent (no heartbeat) is re-opened; an id whose
 * `onChange` failed is offered again; a refused token shows in its state with the registry's reason.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { logger } from './logger';
import { watchRegistry, type RegistryWatch } from './registry-watch';

let current = 'id-1';
let streams: ServerResponse[] = [];
let connections = 0;
let polls = 0;
let silent = false;
const server = createServer((req, res) => {
  if (req.headers.authorization !== 'Bearer good') {
    res.writeHead(401, { 'content-type': 'application/json' });
    return res.end(JSON.stringify({ error: { code: 'UNAUTHENTICATED', message: 'token refused' } }));
  }
  if (req.url === '/v1/supergraph/events') {
    connections++;
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    if (!silent) res.write(`: hello\n\nevent: supergraph\ndata: {"id":"${current}"}\n\n`);
    streams.push(res);
    return;
  }
  polls++;
  if (req.headers['if-none-match'] === `"${current}"`) {
    res.writeHead(304);
    return res.end();
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ id: current, sdl: 'x' }));
});
let url: string;
const watches: RegistryWatch[] = [];
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(() => {
  for (const w of watches.splice(0)) w.stop();
  for (const s of streams.splice(0)) s.end();
  silent = false;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const until = async (done: () => boolean, ms = 10_000) => {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('the condition did not hold in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};
const watch = (opts: Partial<Parameters<typeof watchRegistry>[0]> & Pick<Parameters<typeof watchRegistry>[0], 'onChange'>) => {
  const w = watchRegistry({ url, token: 'good', pollMs: 100, log: logger, ...opts });
  watches.push(w);
  return w;
};

test('onChange is called once per new id, though the stream and every poll report it', async () => {
  current = 'id-1';
  const seen: string[] = [];
  const w = watch({ onChange: (id) => void seen.push(id) });
  await until(() => polls > 3 && w.state().streaming);
  expect(seen).toEqual(['id-1']);
  current = 'id-2';
  for (const s of streams) s.write(`event: supergraph\ndata: {"id":"id-2"}\n\n`);
  await until(() => seen.length === 2);
  await new Promise((r) => setTimeout(r, 300));
  expect(seen).toEqual(['id-1', 'id-2']);
  // A malformed event is ignored; the stream stays usable.
  for (const s of streams) s.write(`event: supergraph\ndata: {not json\n\n`);
  await new Promise((r) => setTimeout(r, 100));
  expect(w.state()).toMatchObject({ reachable: true, streaming: true, lastError: null, latestId: 'id-2' });
});

test('a stream silent past idleMs is re-opened', async () => {
  silent = true;
  const before = connections;
  watch({ onChange: () => undefined, idleMs: 200, pollMs: 60_000 });
  await until(() => connections >= before + 2);
});

test('an id whose onChange failed is offered again', async () => {
  current = 'id-3';
  let calls = 0;
  watch({ onChange: () => {
    calls++;
    if (calls === 1) throw new Error('not yet');
  } });
  await until(() => calls === 2);
});

test('a refused token shows in the state with the registry\'s reason, and nothing is offered', async () => {
  const seen: string[] = [];
  const w = watch({ token: 'bad', onChange: (id) => void seen.push(id) });
  await until(() => w.state().lastError !== null);
  expect(w.state()).toMatchObject({ reachable: false, streaming: false });
  expect(w.state().lastError).toMatch(/GET \/v1\/supergraph answered 401 \(token refused\)/);
  expect(seen).toEqual([]);
});
