/**
 * The export's state file, `_export-state.json` in the output directory: what the export is (view,
 * format, period, partitions, page size) and, per partition, the cursor of the last page whose rows are
 * on disk, how many rows that is, and how far the partition's files go at that point (bytes of a text
 * file, number of Parquet part files). It is only ever replaced whole: written to a temporary file,
 * fsynced, renamed over the old one, and the directory fsynced — so after a SIGKILL at any moment it is
 * either the old state or the new one, and never ahead of the data it describes (the data is fsynced first).
 */
import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';

export const STATE_FILE = '_export-state.json';
/** Written when every partition is complete (the marker Spark and Hadoop tools look for). */
export const SUCCESS_FILE = '_SUCCESS';

export type ExportFormat = 'ndjson' | 'csv' | 'parquet';

/** What an export is: a `--resume` must ask for the same. */
export interface ExportJob {
  view: string;
  format: ExportFormat;
  partitions: number;
  pageSize: number;
  rowsPerFile: number;
  from: string | null;
  to: string | null;
}

export interface PartitionState {
  index: number;
  /** The `after` to continue from: the end cursor of the last page on disk (null: from the start). */
  cursor: string | null;
  /** Rows on disk for this partition. */
  rows: number;
  /** ndjson/csv: the file's length in bytes at that page; the rest (a page cut off by a crash) is truncated away. */
  bytes: number;
  /** parquet: how many part files are complete; later ones are partial and removed. */
  files: number;
  done: boolean;
}

export interface ExportState {
  version: 1;
  job: ExportJob;
  partitions: PartitionState[];
}

export function initialState(job: ExportJob): ExportState {
  return {
    version: 1,
    job,
    partitions: Array.from({ length: job.partitions }, (_, index) => ({ index, cursor: null, rows: 0, bytes: 0, files: 0, done: false })),
  };
}

export async function readState(dir: string): Promise<ExportState | null> {
  let text: string;
  try {
    text = await readFile(join(dir, STATE_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const state = JSON.parse(text) as ExportState;
  if (state.version !== 1 || !Array.isArray(state.partitions)) throw new Error(`${join(dir, STATE_FILE)} is not a state file this version wrote`);
  return state;
}

/** Writes `path` durably: a temporary file, fsync, rename over `path`, fsync of the directory. */
export async function replaceFileDurably(dir: string, name: string, content: string): Promise<void> {
  const temporary = join(dir, `.${name}.tmp`);
  const file = await open(temporary, 'w');
  try {
    await file.writeFile(content);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temporary, join(dir, name));
  await syncDirectory(dir);
}

/** fsync of a directory, so that a rename or a new file in it survives a crash. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Saves the state after each completed page of any partition. Partitions run concurrently but saves are
 * queued one after another, each writing the state as it is when its turn comes; a partition's own entry
 * changes only after its data is durable, so every saved state is one the files on disk can back.
 */
export class StateFile {
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly dir: string,
    readonly state: ExportState,
  ) {}

  save(): Promise<void> {
    const next = this.queue.then(() => replaceFileDurably(this.dir, STATE_FILE, `${JSON.stringify(this.state, null, 1)}\n`));
    // A failed save fails its caller; the queue goes on for the others.
    this.queue = next.catch(() => undefined);
    return next;
  }
}
