/**
 * `npm run export` end to end: the exporter as its own process, pulling the lifecycle view through the
 * gateway of a seeded graph on PostgreSQL. The claims: an export SIGKILLed part-way (more than once) and
 * resumed holds exactly the rows of an uninterrupted one, in every format (Parquet read back by DuckDB,
 * decimals and instants exact); four partitions hold the same rows as one; and every refusal — bad flags,
 * a missing/forged/expired/wrong-role token, an existing output, an unreachable gateway — says what to do
 * and writes nothing.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintToken } from '../gateway/auth';
import { as, startTestGraph, TEST_JWT, type TestGraph } from '../testing/harness';
import { seedAll } from '../testing/seed';
import { startGatewayProcess } from '../testing/gateway-process';
import { ExportError } from './export/errors';
import { fetchViewPage } from './export/gateway-pages';
import { dataFiles, duckdbReadParquet, runExportProcess, sortedLines, startExportProcess, type ReadBackColumn } from '../testing/export-process';
import { STATE_FILE, SUCCESS_FILE, type ExportState } from './export/state';
import type { ConnectionView } from './export/view';
import { VIEWS } from './export/views';

const USERS = 4;
/** Small pages, so that an export has many of them and a kill lands in the middle. */
const PAGE = ['--page-size', '3'];
const lifecycle = VIEWS.lifecycle as ConnectionView;
const READ_BACK: ReadBackColumn[] = lifecycle.columns.map((c) => ({ name: c.name, kind: c.type.kind }));

let g: TestGraph;
let work: string;
let env: Record<string, string>;

beforeAll(async () => {
  g = await startTestGraph();
  await seedAll(g.db, USERS);
  const refreshed = await g.gql('mutation { refreshAnalytics { asOf } }', {}, as.admin());
  expect(refreshed.errors).toBeUndefined();
  work = mkdtempSync(join(tmpdir(), 'autograph-export-'));
  env = { AUTOGRAPH_TOKEN: await g.token(as.analyst()), AUTOGRAPH_GATEWAY_URL: g.url };
}, 120_000);

afterAll(async () => {
  await g?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const out = (name: string) => join(work, name);
const state = (dir: string) => JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8')) as ExportState;
const committedRows = (dir: string) => (existsSync(join(dir, STATE_FILE)) ? state(dir).partitions.reduce((n, p) => n + p.rows, 0) : 0);

async function exportOk(args: string[]) {
  const r = await runExportProcess(args, env);
  if (r.code !== 0) throw new Error(`export ${args.join(' ')} exited ${r.code}:\n${r.stderr}`);
  return r;
}

/** Starts an export and kills it with `signal` once at least `afterRows` more rows are on disk (just after a state save); checks it stopped part-way. */
async function interruptAfter(args: string[], afterRows: number, signal: NodeJS.Signals) {
  const dir = args[args.indexOf('--out') + 1];
  const before = committedRows(dir);
  const p = startExportProcess(args, env);
  let ended = false;
  p.exited.then(() => (ended = true));
  while (!ended && committedRows(dir) < before + afterRows) await new Promise((r) => setTimeout(r, 5));
  p.child.kill(signal);
  const r = await p.exited;
  // The claim is about an export stopped part-way: one that finished first proves nothing.
  expect(state(dir).partitions.some((part) => !part.done)).toBe(true);
  return r;
}

/** How far partition 0's files go on disk now: bytes of its text file, or its number of complete part files. */
function onDisk(dir: string, format: 'ndjson' | 'csv' | 'parquet'): number {
  if (format === 'parquet') return readdirSync(dir).filter((n) => /^part-00000-\d{5}\.parquet$/.test(n)).length;
  try {
    return statSync(join(dir, `part-00000.${format}`)).size;
  } catch {
    return 0;
  }
}

/**
 * Starts an export and SIGKILLs it in the moment a crash hurts most: a page's rows (or a part file) are on
 * disk but the state file does not record them yet. The kill is sent the moment the test sees that, but
 * on a busy machine the exporter may record the page before the signal lands: then that attempt was an
 * ordinary kill-and-resume, and the next attempt resumes and tries again.
 */
async function killWhileDataIsAheadOfState(args: string[], format: 'ndjson' | 'csv' | 'parquet') {
  const dir = args[args.indexOf('--out') + 1];
  const ahead = () => {
    const recorded = state(dir).partitions[0];
    return onDisk(dir, format) > (format === 'parquet' ? recorded.files : recorded.bytes);
  };
  for (let attempt = 0; attempt < 20; attempt++) {
    const p = startExportProcess(attempt === 0 ? args : [...args, '--resume'], env);
    let ended = false;
    p.exited.then(() => (ended = true));
    let killed = false;
    while (!ended && !killed) {
      // Only once a page is recorded: the header of a new csv file is written before its first state.
      if (existsSync(join(dir, STATE_FILE)) && state(dir).partitions[0].rows > 0 && ahead()) {
        p.child.kill('SIGKILL');
        killed = true;
      }
      // 1 ms: often enough to land in the moment (an fsync and a rename long), rarely enough to leave the exporter the CPU.
      await new Promise((r) => setTimeout(r, 1));
    }
    const r = await p.exited;
    expect(killed).toBe(true); // the export did not run to its end before a kill landed
    expect(r.signal).toBe('SIGKILL');
    if (ahead()) return;
  }
  throw new Error('in 20 attempts no SIGKILL landed while data was on disk ahead of the state file');
}

let reference: Promise<string[]> | undefined;
/** The rows of one uninterrupted single-partition ndjson export (made once, by whichever test needs it first). */
function referenceLines(): Promise<string[]> {
  reference ??= (async () => {
    const dir = out('reference.ndjson');
    await exportOk(['--view', 'lifecycle', '--out', dir, ...PAGE]);
    return rowsOf(dir, 'ndjson');
  })();
  return reference;
}

/** The rows of an export directory in a form compared byte for byte: sorted lines (Parquet: as DuckDB reads them). */
async function rowsOf(dir: string, format: 'ndjson' | 'csv' | 'parquet'): Promise<string[]> {
  if (format === 'parquet') return (await duckdbReadParquet(dir, READ_BACK)).lines;
  return sortedLines(dir, format);
}

describe('a complete export', () => {
  it('holds every row of the view once, in ndjson, and marks the directory complete', async () => {
    const dir = out('complete.ndjson');
    const r = await exportOk(['--view', 'lifecycle', '--out', dir]);
    const lines = await rowsOf(dir, 'ndjson');
    expect(lines.length).toBeGreaterThan(30);
    expect(lines).toEqual(await referenceLines());
    expect(new Set(lines.map((l) => JSON.parse(l).id)).size).toBe(lines.length);
    expect(r.stdout).toContain(`✓ exported ${lines.length} rows of lifecycle`);
    expect(existsSync(join(dir, SUCCESS_FILE))).toBe(true);
    // Money stays an exact decimal string, never a JSON number.
    const paid = lines.map((l) => JSON.parse(l)).filter((row) => row.amount !== null);
    expect(paid.length).toBeGreaterThan(0);
    for (const row of paid) expect(row.amount).toMatch(/^-?\d+\.\d{2}$/);
  });
});

describe('--from/--to', () => {
  it('exports exactly the rows of the period (from inclusive, to exclusive)', async () => {
    const all = (await referenceLines()).map((l) => JSON.parse(l) as { occurred_at: string });
    const times = [...new Set(all.map((r) => r.occurred_at))].sort();
    const [from, to] = [times[Math.floor(times.length / 4)], times[Math.floor((3 * times.length) / 4)]];
    const dir = out('period');
    await exportOk(['--view', 'lifecycle', '--out', dir, '--from', from, '--to', to]);
    const expected = all.filter((r) => r.occurred_at >= from && r.occurred_at < to).map((r) => JSON.stringify(r)).sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(await rowsOf(dir, 'ndjson')).toEqual(expected);
    expect(state(dir).job).toMatchObject({ from, to });
  });
});

describe.each(['ndjson', 'csv', 'parquet'] as const)('%s: an export SIGKILLed part-way and resumed', (format) => {
  it('holds exactly the rows of an uninterrupted export', async () => {
    const extra = format === 'parquet' ? ['--rows-per-file', '7'] : [];
    const whole = out(`whole-${format}`);
    await exportOk(['--view', 'lifecycle', '--format', format, '--out', whole, ...PAGE, ...extra]);
    const expected = await rowsOf(whole, format);
    expect(expected.length).toBeGreaterThan(30);

    const dir = out(`killed-${format}`);
    const args = ['--view', 'lifecycle', '--format', format, '--out', dir, ...PAGE, ...extra];
    await killWhileDataIsAheadOfState(args, format);
    const second = await interruptAfter([...args, '--resume'], 6, 'SIGKILL');
    expect(second.signal).toBe('SIGKILL');
    const last = await exportOk([...args, '--resume']);
    expect(last.stdout).toMatch(/fetched by this run/);

    expect(await rowsOf(dir, format)).toEqual(expected);
    expect(existsSync(join(dir, SUCCESS_FILE))).toBe(true);
  }, 180_000);
});

describe('parquet', () => {
  it('is typed for a warehouse: money DECIMAL(18,2), instants TIMESTAMP WITH TIME ZONE, and holds what ndjson holds', async () => {
    const dir = out('typed.parquet');
    await exportOk(['--view', 'lifecycle', '--format', 'parquet', '--out', dir, '--rows-per-file', '50', '--page-size', '20']);
    const { types, lines } = await duckdbReadParquet(dir, READ_BACK);
    expect(types.amount).toBe('DECIMAL(18,2)');
    expect(types.occurred_at).toBe('TIMESTAMP WITH TIME ZONE');
    expect(types.id).toBe('VARCHAR');
    expect(dataFiles(dir, 'parquet').length).toBeGreaterThan(1);
    expect(lines).toEqual(await referenceLines());
  });
});

describe('--partitions 4', () => {
  it.each(['ndjson', 'parquet'] as const)('%s: four files of disjoint rows whose union is the one-partition export', async (format) => {
    const dir = out(`partitioned-${format}`);
    await exportOk(['--view', 'lifecycle', '--format', format, '--partitions', '4', '--out', dir, ...PAGE]);
    const prefixes = new Set(dataFiles(dir, format).map((f) => /part-(\d{5})/.exec(f)![1]));
    expect([...prefixes].sort()).toEqual(['00000', '00001', '00002', '00003']);
    const rows = format === 'parquet' ? (await duckdbReadParquet(dir, READ_BACK)).lines : await rowsOf(dir, format);
    expect(rows).toEqual(await referenceLines());
  });
});

describe('ownership-cost', () => {
  const columns: ReadBackColumn[] = VIEWS['ownership-cost'].columns.map((c) => ({ name: c.name, kind: c.type.kind }));

  it('one row per vehicle, month and category, adding up to each vehicle’s total exactly; parquet in 3 partitions holds the same rows', async () => {
    const dir = out('ownership.ndjson');
    await exportOk(['--view', 'ownership-cost', '--out', dir, '--page-size', '2']);
    const lines = await rowsOf(dir, 'ndjson');
    const rows = lines.map((l) => JSON.parse(l) as { vin: string; vehicle_total: string; amount: string | null });
    const vins = new Set(rows.map((r) => r.vin));
    expect(vins.size).toBeGreaterThan(1);
    const fen = (decimal: string) => BigInt(decimal.replace('.', ''));
    for (const vin of vins) {
      const own = rows.filter((r) => r.vin === vin);
      expect(own.reduce((sum, r) => sum + (r.amount === null ? 0n : fen(r.amount)), 0n)).toBe(fen(own[0].vehicle_total));
    }
    const parquet = out('ownership.parquet');
    await exportOk(['--view', 'ownership-cost', '--format', 'parquet', '--partitions', '3', '--out', parquet, '--page-size', '2']);
    const read = await duckdbReadParquet(parquet, columns);
    expect(read.types.vehicle_total).toBe('DECIMAL(18,2)');
    expect(read.types.month_index).toBe('INTEGER');
    expect(read.lines).toEqual(lines);
  });
});

describe('a failure mid-way', () => {
  it('the gateway going away stops the export (exit 1, resumable); the resume through another gateway completes the same rows', async () => {
    const first = await startGatewayProcess(g);
    const dir = out('gateway-gone');
    const args = ['--view', 'lifecycle', '--out', dir, ...PAGE];
    const p = startExportProcess([...args, '--gateway', first.url], env);
    while (committedRows(dir) < 3) await new Promise((r) => setTimeout(r, 5));
    await first.stop();
    const r = await p.exited;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot reach the gateway at .*\nwhat is written so far is kept: fix the cause and run the same command with --resume/);
    expect(state(dir).partitions[0].done).toBe(false);
    const second = await startGatewayProcess(g);
    try {
      await exportOk([...args, '--resume', '--gateway', second.url]);
    } finally {
      await second.stop();
    }
    expect(await rowsOf(dir, 'ndjson')).toEqual(await referenceLines());
  }, 120_000);
});

describe('Ctrl-C and --resume', () => {
  it('SIGINT stops after a page with exit 130, and the resume completes the same rows', async () => {
    const dir = out('interrupted');
    const args = ['--view', 'lifecycle', '--out', dir, ...PAGE];
    const r = await interruptAfter(args, 3, 'SIGINT');
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/--resume to continue/);
    await exportOk([...args, '--resume']);
    expect(await rowsOf(dir, 'ndjson')).toEqual(await referenceLines());
  });

  it('a resume of a complete export changes nothing; one with other flags is refused', async () => {
    await referenceLines();
    const dir = out('reference.ndjson');
    const before = readFileSync(join(dir, 'part-00000.ndjson'));
    const again = await exportOk(['--out', dir, '--resume']);
    expect(again.stdout).toMatch(/already complete/);
    const other = await runExportProcess(['--out', dir, '--resume', '--format', 'csv'], env);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/format "csv" \(started with "ndjson"\)/);
    expect(readFileSync(join(dir, 'part-00000.ndjson'))).toEqual(before);
  });
});

describe('refusals write nothing', () => {
  const refused = async (args: string[], message: RegExp, extraEnv: Record<string, string> = {}, code = 2) => {
    const dir = out(`refused-${Math.random().toString(36).slice(2)}`);
    const r = await runExportProcess([...args.map((a) => (a === 'OUT' ? dir : a))], { ...env, ...extraEnv });
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(code);
    expect(existsSync(dir)).toBe(false);
  };

  it.each([
    [['--view', 'lifecycle', '--out', 'OUT', '--partitions', '0'], /--partitions must be from 1 to 64, not 0/],
    [['--view', 'lifecycle', '--out', 'OUT', '--partitions', '65'], /--partitions must be from 1 to 64, not 65/],
    [['--view', 'lifecycle', '--out', 'OUT', '--partitions', 'abc'], /--partitions must be a whole number, not "abc"/],
    [['--view', 'lifecycle', '--out', 'OUT', '--format', 'xlsx'], /--format must be one of ndjson, csv, parquet, not "xlsx"/],
    [['--view', 'nope', '--out', 'OUT'], /--view must be one of lifecycle/],
    [['--view', 'lifecycle', '--out', 'OUT', '--from', 'yesterday'], /--from: "yesterday" is not an ISO-8601/],
    [['--view', 'lifecycle', '--out', 'OUT', '--from', '2025-02-01', '--to', '2025-01-01'], /must be before --to/],
    [['--view', 'lifecycle', '--out', 'OUT', '--page-size', '1001'], /--page-size must be from 1 to 1000 /],
    [['--view', 'ownership-cost', '--out', 'OUT', '--page-size', '201'], /--page-size must be from 1 to 200 /],
    [['--view', 'lifecycle', '--out', 'OUT', '--format', 'csv', '--rows-per-file', '10'], /--rows-per-file is for --format parquet/],
    [['--view', 'lifecycle', '--out', 'OUT', '--colour', 'red'], /unknown flag --colour/],
    [['--view', 'lifecycle'], /--out DIR is required/],
    [['--out', 'OUT'], /--view is required/],
    [['--out', 'OUT', '--resume'], /nothing to resume: .* does not exist/],
  ])('flags %j', async (args, message) => refused(args, message));

  it('a token that is missing, forged, expired or not an analyst’s', async () => {
    const forged = await mintToken({ ...TEST_JWT, secret: 'another-secret-that-is-long-enough' }, as.analyst());
    const expired = await mintToken(TEST_JWT, as.analyst(), -60);
    const customer = await g.token(as.customer('demo-driver'));
    const args = ['--view', 'lifecycle', '--out', 'OUT'];
    await refused(args, /an analyst's token is required: --token JWT or AUTOGRAPH_TOKEN/, { AUTOGRAPH_TOKEN: '' });
    await refused([...args, '--token', forged], /the gateway refused the token \(.*\): mint a new one/);
    await refused([...args, '--token', expired], /the gateway refused the token \(.*expired.*\)/);
    await refused([...args, '--token', customer], /the token may not read the lifecycle view .*exports need an analyst's token/);
  });

  it('a gateway that cannot be reached', async () => {
    await refused(['--view', 'lifecycle', '--out', 'OUT', '--gateway', 'http://127.0.0.1:9/graphql'], /cannot reach the gateway at http:\/\/127\.0\.0\.1:9\/graphql .*is it running\?.*\(nothing was written\)/, {}, 1);
  });

  it('a view whose root field the gateway does not serve says it is not in the graph yet', async () => {
    const notYet = { ...lifecycle, name: 'churn', field: 'analystChurn', document: lifecycle.document.replace('analystLifecycleEvents(', 'analystChurn(') };
    const refusal = await fetchViewPage({ url: g.url, token: env.AUTOGRAPH_TOKEN }, notYet, { first: 1, after: null, partition: { index: 0, count: 1 } }).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(ExportError);
    expect(refusal).toMatchObject({ kind: 'missing-view', message: expect.stringMatching(/^the churn view is not in the graph this token sees: the gateway's schema has no Query\.analystChurn/) });
  });

  it('an output that exists already is not touched', async () => {
    const dir = out('existing');
    mkdirSync(dir);
    writeFileSync(join(dir, 'keep.txt'), 'mine');
    const r = await runExportProcess(['--view', 'lifecycle', '--out', dir], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/already exists: add --resume to continue the export in it, or choose another --out/);
    expect(readdirSync(dir)).toEqual(['keep.txt']);
  });
});
