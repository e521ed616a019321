/**
 * The usage reporter against a stand-in registry over real HTTP: calls are added up per operation and
 * client and sent as one report with the bearer token; beyond its bound new pairs are dropped and counted;
 * a 5xx answer keeps the usage for the next report, a 4xx (refused for good) drops it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OperationShape } from './operation-usage';
import { UsageReporter } from './usage-reporter';

let server: Server;
let url: string;
let answers: number[] = [];
const received: Array<{ authorization?: string; body: any }> = [];

/** The stand-in registry: records each report and answers the next status of `answers` (200 when none). */
function standIn(req: IncomingMessage, res: ServerResponse) {
  let text = '';
  req.on('data', (d) => (text += d));
  req.on('end', () => {
    received.push({ authorization: req.headers.authorization, body: JSON.parse(text) });
    res.writeHead(answers.shift() ?? 200, { 'content-type': 'application/json' }).end('{}');
  });
}

beforeAll(async () => {
  server = createServer(standIn);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((done) => server.close(done)));
beforeEach(() => {
  received.length = 0;
  answers = [];
});

const shape = (n: number): OperationShape => ({ hash: String(n).repeat(64).slice(0, 64), name: `Op${n}`, document: `query Op${n} { a }`, coordinates: ['Query.a'], inputVariables: [] });
const IOS = { name: 'ios-app', version: '1.0' };
const reporter = (maxEntries = 10) => new UsageReporter({ registryUrl: url, registryToken: 'gateway-token', intervalMs: 3_600_000, maxEntries });

test('calls are added up per operation and client and reported once, with the token', async () => {
  const r = reporter();
  r.record(shape(1), IOS, ['Query.a']);
  r.record(shape(1), IOS, ['Query.a', 'Input.x']);
  r.record(shape(1), { name: '', version: '' }, ['Query.a']);
  await r.flush();
  expect(received).toEqual([
    {
      authorization: 'Bearer gateway-token',
      body: {
        operations: [
          {
            hash: shape(1).hash,
            name: 'Op1',
            document: 'query Op1 { a }',
            clients: [
              { name: 'ios-app', version: '1.0', count: 2, coordinates: { 'Query.a': 2, 'Input.x': 1 } },
              { name: '', version: '', count: 1, coordinates: { 'Query.a': 1 } },
            ],
          },
        ],
      },
    },
  ]);
  expect(r.pending()).toEqual({ entries: 0, dropped: 0 });
  await r.flush();
  expect(received).toHaveLength(1); // nothing new: nothing sent
});

test('beyond its bound a new operation × client pair is dropped and counted; known pairs still count', () => {
  const r = reporter(2);
  r.record(shape(1), IOS, ['Query.a']);
  r.record(shape(2), IOS, ['Query.a']);
  r.record(shape(3), IOS, ['Query.a']);
  r.record(shape(3), IOS, ['Query.a']);
  r.record(shape(1), IOS, ['Query.a']);
  expect(r.pending()).toEqual({ entries: 2, dropped: 2 });
});

test('a 5xx answer keeps the usage for the next report; a 4xx drops it', async () => {
  const r = reporter();
  r.record(shape(1), IOS, ['Query.a']);
  answers = [503];
  await r.flush();
  expect(r.pending().entries).toBe(1);
  r.record(shape(1), IOS, ['Query.a']);
  await r.flush();
  expect(received.map((x) => x.body.operations[0].clients[0].count)).toEqual([1, 2]);
  expect(r.pending().entries).toBe(0);

  r.record(shape(2), IOS, ['Query.a']);
  answers = [401];
  await r.flush();
  expect(r.pending().entries).toBe(0);
});

test('usage in a report on its way still counts as pending until the registry has answered', async () => {
  const r = reporter();
  r.record(shape(1), IOS, ['Query.a']);
  let answer!: () => void;
  const held = new Promise<void>((done) => (answer = done));
  server.removeAllListeners('request');
  server.on('request', (req, res) => {
    req.resume();
    req.on('end', () => void held.then(() => res.writeHead(503, { 'content-type': 'application/json' }).end('{}')));
  });
  try {
    const flushing = r.flush();
    await new Promise((done) => setTimeout(done, 100)); // the report is out, its answer held back
    expect(r.pending().entries).toBe(1);
    answer();
    await flushing;
    expect(r.pending().entries).toBe(1); // undelivered: merged back
  } finally {
    server.removeAllListeners('request');
    server.on('request', standIn);
  }
});
