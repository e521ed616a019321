/**
 * `npm run -s export -- --view <name> --out DIR [--format ndjson|csv|parquet] [--from T] [--to T]
 * [--partitions N] [--page-size N] [--rows-per-file N] [--resume] [--gateway URL] [--token JWT]`
 * — pulls an analyst view through the gateway, page by page, into DIR: one file per partition (ndjson,
 * csv) or a sequence of part files per partition (parquet), a state file that `--resume` continues from
 * after a crash or Ctrl-C, and `_SUCCESS` when complete. The token is `--token` or AUTOGRAPH_TOKEN (an
 * analyst's: `npm run -s token -- --sub <you> --role analyst`); the gateway `--gateway` or
 * AUTOGRAPH_GATEWAY_URL, by default the local one. The library is in scripts/export/.
 */
import { resolve } from 'node:path';
import { parseIsoDateTime } from '../platform/scalars';
import { fail, parseFlags } from './cli';
import { ExportError, exitCodeOf } from './export/errors';
import { jobToResume, runExport } from './export/run';
import type { ExportFormat, ExportJob } from './export/state';
import { VIEWS } from './export/views';

const FORMATS: readonly ExportFormat[] = ['ndjson', 'csv', 'parquet'];
const MAX_PARTITIONS = 64;
const DEFAULT_ROWS_PER_FILE = 25_000;
const MAX_ROWS_PER_FILE = 1_000_000;
export const DEFAULT_GATEWAY_URL = 'http://127.0.0.1:4000/graphql';

const USAGE = `usage: npm run -s export -- --view <${Object.keys(VIEWS).join('|')}> --out DIR [--format ${FORMATS.join('|')}] [--from ISO-8601] [--to ISO-8601]
       [--partitions 1-${MAX_PARTITIONS}] [--page-size N] [--rows-per-file N] [--resume] [--gateway URL] [--token JWT]
views:
${Object.values(VIEWS).map((v) => `  ${v.name.padEnd(16)}${v.description}`).join('\n')}`;

const SPEC = {
  view: 'string',
  out: 'string',
  format: 'string',
  from: 'string',
  to: 'string',
  partitions: 'int',
  'page-size': 'int',
  'rows-per-file': 'int',
  resume: 'boolean',
  gateway: 'string',
  token: 'string',
  help: 'boolean',
} as const;

const pagedViews = () => Object.values(VIEWS).filter((v) => v.kind === 'connection').map((v) => v.name);

function instant(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return parseIsoDateTime(value).toISOString();
  } catch (err) {
    fail(`--${flag}: ${(err as Error).message}`);
  }
}

/** The job the flags ask for: only what was given (a resume fills the rest from its state file). */
function requestedJob(flags: ReturnType<typeof parseFlags>): Partial<ExportJob> {
  const view = flags.view as string | undefined;
  if (view !== undefined && !VIEWS[view]) fail(`--view must be one of ${Object.keys(VIEWS).join(', ')}, not "${view}"`);
  const format = flags.format as string | undefined;
  if (format !== undefined && !FORMATS.includes(format as ExportFormat)) fail(`--format must be one of ${FORMATS.join(', ')}, not "${format}"`);
  const partitions = flags.partitions as number | undefined;
  if (partitions !== undefined && (partitions < 1 || partitions > MAX_PARTITIONS)) fail(`--partitions must be from 1 to ${MAX_PARTITIONS}, not ${partitions}`);
  const pageSize = flags['page-size'] as number | undefined;
  const chosen = view ? VIEWS[view] : undefined;
  if (pageSize !== undefined && chosen?.kind === 'answer') fail(`--page-size is for the paginated views (${pagedViews().join(', ')}): ${view} is one answer of the graph`);
  const maxFirst = chosen?.kind === 'connection' ? chosen.maxFirst : Math.max(...Object.values(VIEWS).map((v) => (v.kind === 'connection' ? v.maxFirst : 0)));
  if (pageSize !== undefined && (pageSize < 1 || pageSize > maxFirst)) fail(`--page-size must be from 1 to ${maxFirst} (the largest page of the view within an analyst's cost budget), not ${pageSize}`);
  const rowsPerFile = flags['rows-per-file'] as number | undefined;
  if (rowsPerFile !== undefined && format !== undefined && format !== 'parquet') fail('--rows-per-file is for --format parquet (ndjson and csv write one file per partition)');
  if (rowsPerFile !== undefined && (rowsPerFile < 1 || rowsPerFile > MAX_ROWS_PER_FILE)) fail(`--rows-per-file must be from 1 to ${MAX_ROWS_PER_FILE}, not ${rowsPerFile}`);
  const from = instant('from', flags.from as string | undefined);
  const to = instant('to', flags.to as string | undefined);
  if (from && to && from >= to) fail(`--from ${from} must be before --to ${to} (from is inclusive, to exclusive)`);
  if ((from || to) && view && !VIEWS[view].takesPeriod) fail(`the ${view} view takes no period: leave out --from/--to`);
  const job: Partial<ExportJob> = { view, format: format as ExportFormat | undefined, partitions, pageSize, rowsPerFile, from, to };
  return Object.fromEntries(Object.entries(job).filter(([, v]) => v !== undefined)) as Partial<ExportJob>;
}

function newJob(requested: Partial<ExportJob>): ExportJob {
  if (!requested.view) fail(`--view is required\n${USAGE}`);
  const view = VIEWS[requested.view];
  return {
    view: view.name,
    format: requested.format ?? 'ndjson',
    partitions: requested.partitions ?? 1,
    pageSize: requested.pageSize ?? (view.kind === 'connection' ? view.maxFirst : 1),
    rowsPerFile: requested.rowsPerFile ?? DEFAULT_ROWS_PER_FILE,
    from: requested.from ?? null,
    to: requested.to ?? null,
  };
}

async function main() {
  const flags = parseFlags(process.argv.slice(2), SPEC);
  if (flags.help) {
    console.log(USAGE);
    return;
  }
  const requested = requestedJob(flags);
  if (!flags.out) fail(`--out DIR is required (the directory the export writes; it must not exist unless --resume)\n${USAGE}`);
  const outDir = resolve(flags.out as string);
  const token = (flags.token as string | undefined) ?? process.env.AUTOGRAPH_TOKEN;
  if (!token) fail("an analyst's token is required: --token JWT or AUTOGRAPH_TOKEN (mint one with `npm run -s token -- --sub <you> --role analyst`)");
  const gatewayUrl = (flags.gateway as string | undefined) ?? process.env.AUTOGRAPH_GATEWAY_URL ?? DEFAULT_GATEWAY_URL;
  if (!/^https?:\/\/[^\s]+$/.test(gatewayUrl)) fail(`--gateway must be an http(s) URL, not "${gatewayUrl}"`);

  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    // A second Ctrl-C does not wait: the state file is consistent at every moment anyway.
    if (controller.signal.aborted) process.exit(exitCodeOf('interrupted'));
    console.error(`${signal}: stopping after the current page (again to stop at once)…`);
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  try {
    const job = flags.resume ? await jobToResume(outDir, requested) : newJob(requested);
    const summary = await runExport({ view: VIEWS[job.view], job, outDir, resume: Boolean(flags.resume), gateway: { url: gatewayUrl, token }, signal: controller.signal });
    if (summary.alreadyComplete) {
      console.log(`✓ ${outDir} is already complete (${summary.rows} rows): nothing to resume`);
    } else {
      const seconds = summary.millis / 1000;
      console.log(
        `✓ exported ${summary.rows} rows of ${job.view} (${job.format}, ${job.partitions} partition${job.partitions === 1 ? '' : 's'}) to ${outDir}` +
          `${summary.fetched !== summary.rows ? ` (${summary.fetched} fetched by this run)` : ''} in ${seconds.toFixed(1)} s, ${Math.round(summary.fetched / Math.max(seconds, 0.001))} rows/s`,
      );
    }
  } catch (err) {
    if (!(err instanceof ExportError)) throw err;
    const hint = err.resumable && err.kind !== 'interrupted' ? '\nwhat is written so far is kept: fix the cause and run the same command with --resume' : err.resumable ? '' : ' (nothing was written)';
    console.error(`error: ${err.message}${hint}`);
    process.exit(exitCodeOf(err.kind));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
