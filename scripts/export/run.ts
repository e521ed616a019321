/**
 * One export run: N partitions of a view, each an independent stream of pages through the gateway
 * into its own file(s), a few at a time. Memory stays bounded by one page per running partition (and,
 * for Parquet, one part file's rows): nothing holds the whole export. Every write is awaited before the
 * next page is asked for, so a slow disk slows the export instead of filling memory.
 *
 * Before anything is written, one request checks the token, the role and that the gateway serves
 * the view: a refused export leaves no directory behind. After that, each page's rows go to disk before
 * the state file records the page's cursor (see `state.ts`), so a run stopped in any way — SIGKILL,
 * Ctrl-C, a page error, an expired token — is continued by `--resume` with no row lost or written twice.
 */
import { mkdir, stat } from 'node:fs/promises';
import { cellOf, ColumnValueError } from './columns';
import { ExportError } from './errors';
import { fetchViewPage, type GatewayTarget } from './gateway-pages';
import { openPartWriter } from './part-writer';
import { exportProgress } from './progress';
import { initialState, readState, replaceFileDurably, STATE_FILE, StateFile, SUCCESS_FILE, type ExportJob, type PartitionState } from './state';
import type { ExportView } from './view';

/** Partitions fetched at the same time: enough to hide a page's latency, few enough to spare the gateway. */
const PARALLEL_PARTITIONS = 4;

export interface ExportRun {
  view: ExportView;
  job: ExportJob;
  outDir: string;
  resume: boolean;
  gateway: GatewayTarget;
  /** Aborted on Ctrl-C/SIGTERM: each partition stops after its current page, its state saved. */
  signal?: AbortSignal;
  /** Where progress goes (stderr by default). */
  progressStream?: NodeJS.WriteStream;
}

export interface ExportSummary {
  /** Rows on disk, all partitions. */
  rows: number;
  /** Rows this run fetched (less than `rows` after a resume). */
  fetched: number;
  millis: number;
  alreadyComplete: boolean;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** The job a resume continues: what the state file holds; each flag given again must agree with it. */
export async function jobToResume(outDir: string, given: Partial<ExportJob>): Promise<ExportJob> {
  if (!(await exists(outDir))) throw new ExportError('usage', `nothing to resume: ${outDir} does not exist (run without --resume to start the export)`);
  const state = await readState(outDir);
  if (!state) throw new ExportError('usage', `${outDir} holds no ${STATE_FILE}: it is not an export this command started, so there is nothing to resume`);
  const differs = (Object.keys(given) as Array<keyof ExportJob>).filter((k) => given[k] !== undefined && given[k] !== state.job[k]);
  if (differs.length) {
    throw new ExportError('usage', `--resume continues the export in ${outDir} as it was started; these flags differ from it: ${differs.map((k) => `${k} ${JSON.stringify(given[k])} (started with ${JSON.stringify(state.job[k])})`).join(', ')}`);
  }
  return state.job;
}

export async function runExport(run: ExportRun): Promise<ExportSummary> {
  const started = Date.now();
  const { view, job, outDir } = run;
  let state = run.resume ? await readState(outDir) : null;
  if (!run.resume && (await exists(outDir))) {
    throw new ExportError('usage', `${outDir} already exists: add --resume to continue the export in it, or choose another --out`);
  }
  if (run.resume && !state) throw new ExportError('usage', `${outDir} holds no ${STATE_FILE}: nothing to resume`);
  if (state && state.partitions.every((p) => p.done)) {
    return { rows: state.partitions.reduce((n, p) => n + p.rows, 0), fetched: 0, millis: Date.now() - started, alreadyComplete: true };
  }
  const period = { ...(job.from ? { from: job.from } : {}), ...(job.to ? { to: job.to } : {}) };
  // The check before anything is written: a refused token, a forbidden role, a missing view or a page size
  // the view refuses stop here (one page of the real size, so that the gateway judges exactly what follows).
  await fetchViewPage(run.gateway, view, { first: job.pageSize, after: null, partition: { index: 0, count: job.partitions }, ...period });
  if (!state) {
    await mkdir(outDir, { recursive: true });
    state = initialState(job);
    await replaceFileDurably(outDir, STATE_FILE, `${JSON.stringify(state, null, 1)}\n`);
  }
  const stateFile = new StateFile(outDir, state);
  const alreadyOnDisk = state.partitions.reduce((n, p) => n + p.rows, 0);
  const progress = exportProgress(`${view.name} → ${job.format}`, alreadyOnDisk, view.kind === 'answer' || view.hasTotalCount, run.progressStream);
  let fetched = 0;
  let failure: unknown;
  const stopping = () => failure !== undefined || run.signal?.aborted === true;
  const totals = new Map<number, number>();

  const exportPartition = async (at: PartitionState) => {
    const writer = await openPartWriter(job.format, outDir, view.columns, at, job.rowsPerFile);
    let cursor = at.cursor;
    let pending = 0;
    const commit = async (done: boolean) => {
      Object.assign(at, { cursor, rows: at.rows + pending, done, ...writer.position() });
      pending = 0;
      await stateFile.save();
    };
    try {
      while (!stopping()) {
        const page = await fetchViewPage(run.gateway, view, { first: job.pageSize, after: cursor, partition: { index: at.index, count: job.partitions }, ...period });
        if (page.totalCount !== undefined && !totals.has(at.index)) {
          totals.set(at.index, page.totalCount);
          if (totals.size === job.partitions) progress.setTotal([...totals.values()].reduce((a, b) => a + b, 0));
        }
        let rows;
        try {
          const shaped = view.kind === 'connection' && view.rowsOf ? page.nodes.flatMap(view.rowsOf) : page.nodes;
          rows = shaped.map((row) => view.columns.map((c) => cellOf(row, c)));
        } catch (err) {
          if (err instanceof ColumnValueError) throw new ExportError('page', `a row of ${view.name} does not fit its columns: ${err.message}`);
          throw err;
        }
        const { durable } = await writer.addPage(rows);
        pending += rows.length;
        fetched += rows.length;
        progress.add(rows.length);
        if (page.endCursor) cursor = page.endCursor;
        if (!page.hasNextPage) {
          await writer.flush();
          await commit(true);
          return;
        }
        if (durable) await commit(false);
      }
      // Stopping (Ctrl-C, or another partition failed): what is buffered is written, so it is not fetched again.
      await writer.flush();
      await commit(false);
    } finally {
      await writer.close();
    }
  };

  const queue = state.partitions.filter((p) => !p.done);
  const worker = async () => {
    for (let at = queue.shift(); at && !stopping(); at = queue.shift()) {
      try {
        await exportPartition(at);
      } catch (err) {
        if (err instanceof ExportError) err.resumable = true;
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_PARTITIONS, queue.length) }, worker));
  progress.stop();
  if (failure !== undefined) throw failure;
  if (run.signal?.aborted) {
    const interrupted = new ExportError('interrupted', `stopped: ${fetched} rows of this run are saved in ${outDir}; run the same command with --resume to continue`);
    interrupted.resumable = true;
    throw interrupted;
  }
  await replaceFileDurably(outDir, SUCCESS_FILE, '');
  return { rows: state.partitions.reduce((n, p) => n + p.rows, 0), fetched, millis: Date.now() - started, alreadyComplete: false };
}
