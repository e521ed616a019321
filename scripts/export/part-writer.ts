/**
 * Where one partition's rows go, page by page, with the one promise resume depends on: when `addPage`
 * says `durable`, every row added so far is on disk (fsynced) and `position()` says how far the files go,
 * so that page's cursor may be saved. On resume a writer is opened at a saved position and first cuts
 * back whatever a crash left beyond it.
 *
 * Layout in the output directory, one dataset a warehouse engine reads whole (files starting with `_`
 * or `.` are skipped by Spark, Hive-style readers and DuckDB globs of `*.ndjson`/`*.csv`/`*.parquet`):
 *   ndjson, csv  `part-00000.ndjson` … one file per partition
 *   parquet      `part-00000-00000.parquet` … per partition a sequence of part files, each complete
 */
import { open, readdir, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { CellValue, Column } from './columns';
import { writeParquetFile } from './parquet-file';
import { syncDirectory, type ExportFormat, type PartitionState } from './state';
import { csv, ndjson, type LineFormat } from './text-formats';

export interface PartWriter {
  /** Adds one page's rows; `durable` when all rows so far are on disk (always, for line formats). */
  addPage(rows: CellValue[][]): Promise<{ durable: boolean }>;
  /** Writes out what is buffered (end of the partition, or a stop): afterwards everything is durable. */
  flush(): Promise<void>;
  /** How far the partition's files go, for the state file. */
  position(): { bytes: number; files: number };
  close(): Promise<void>;
}

const partName = (index: number) => `part-${String(index).padStart(5, '0')}`;

export async function openPartWriter(format: ExportFormat, dir: string, columns: readonly Column[], at: PartitionState, rowsPerFile: number): Promise<PartWriter> {
  if (format === 'parquet') return openParquetPart(dir, columns, at, rowsPerFile);
  return openLinePart(format === 'csv' ? csv : ndjson, dir, columns, at);
}

async function openLinePart(format: LineFormat, dir: string, columns: readonly Column[], at: PartitionState): Promise<PartWriter> {
  const path = join(dir, `${partName(at.index)}.${format.extension}`);
  // 'a' creates the file when it is new; writes always go to its end, which the truncate below sets.
  const file: FileHandle = await open(path, 'a');
  let bytes = (await file.stat()).size;
  if (bytes < at.bytes) {
    await file.close();
    throw new Error(`${path} is ${bytes} bytes, shorter than the ${at.bytes} the state file recorded: it was changed outside the export; start a new export`);
  }
  if (bytes > at.bytes) {
    // A page written after the last saved state (cut off by a crash): it is fetched again from the saved cursor.
    await file.truncate(at.bytes);
    bytes = at.bytes;
  }
  const append = async (text: string) => {
    if (!text) return;
    const buffer = Buffer.from(text, 'utf8');
    await file.write(buffer);
    await file.sync();
    bytes += buffer.length;
  };
  if (bytes === 0) await append(format.header(columns));
  return {
    async addPage(rows) {
      await append(format.rows(columns, rows));
      return { durable: true };
    },
    flush: async () => undefined,
    position: () => ({ bytes, files: 0 }),
    close: () => file.close(),
  };
}

async function openParquetPart(dir: string, columns: readonly Column[], at: PartitionState, rowsPerFile: number): Promise<PartWriter> {
  const prefix = `${partName(at.index)}-`;
  // Part files after the saved count, and temporary files, are what a crash left: removed before going on.
  for (const name of await readdir(dir)) {
    const m = new RegExp(`^\\.?${prefix}(\\d{5})\\.parquet(\\.tmp)?$`).exec(name);
    if (m && (m[2] || name.startsWith('.') || Number(m[1]) >= at.files)) await rm(join(dir, name), { force: true });
  }
  await syncDirectory(dir);
  let files = at.files;
  let buffered: CellValue[][] = [];
  const writeBuffered = async () => {
    if (!buffered.length) return;
    await writeParquetFile(dir, `${prefix}${String(files).padStart(5, '0')}.parquet`, columns, buffered);
    files += 1;
    buffered = [];
  };
  return {
    async addPage(rows) {
      for (const row of rows) buffered.push(row);
      if (buffered.length < rowsPerFile) return { durable: buffered.length === 0 };
      await writeBuffered();
      return { durable: true };
    },
    flush: writeBuffered,
    position: () => ({ bytes: 0, files }),
    close: async () => undefined,
  };
}
