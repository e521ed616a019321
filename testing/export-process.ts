/**
 * `npm run export` as its own process (`node --import=tsx scripts/export.ts`, so the pid is the exporter
 * itself and a SIGKILL kills it, not a wrapper), and what tests read back from its output directory:
 * the lines of its ndjson/csv files, and its Parquet files as DuckDB — a warehouse engine, not the
 * library that wrote them — reads them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');

export interface ExportProcess {
  child: ChildProcess;
  /** Resolves when the process ends: its exit code (null when killed), the signal, and what it printed. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

export function startExportProcess(args: readonly string[], env: Record<string, string> = {}): ExportProcess {
  const child = spawn(process.execPath, ['--import=tsx', 'scripts/export.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((ok) =>
    child.once('close', (code, signal) => ok({ code, signal, stdout, stderr })),
  );
  return { child, exited };
}

/** Runs an export to its end. */
export function runExportProcess(args: readonly string[], env: Record<string, string> = {}) {
  return startExportProcess(args, env).exited;
}

/** The data files of an export directory with this extension, in name order (state and markers left out). */
export function dataFiles(dir: string, extension: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith(`.${extension}`) && !name.startsWith('_') && !name.startsWith('.'))
    .sort()
    .map((name) => join(dir, name));
}

/** Every row line of the ndjson or csv files (csv: without each file's header row), sorted. */
export function sortedLines(dir: string, extension: 'ndjson' | 'csv'): string[] {
  const lines: string[] = [];
  for (const file of dataFiles(dir, extension)) {
    const text = readFileSync(file, 'utf8');
    const ending = extension === 'csv' ? '\r\n' : '\n';
    const fileLines = text.split(ending);
    if (fileLines.at(-1) === '') fileLines.pop();
    lines.push(...(extension === 'csv' ? fileLines.slice(1) : fileLines));
  }
  return lines.sort();
}

/** A column of the view as DuckDB should type it, for reading it back as the ndjson line would hold it. */
export interface ReadBackColumn {
  name: string;
  kind: 'string' | 'int' | 'boolean' | 'timestamp' | 'decimal';
}

/**
 * The Parquet dataset in `dir` (every `*.parquet`, as one table) read by DuckDB: the column types it sees,
 * and each row written as the exporter's ndjson line would be (decimals as their exact text, instants as
 * ISO-8601 UTC from the stored milliseconds), sorted.
 */
export async function duckdbReadParquet(dir: string, columns: readonly ReadBackColumn[]): Promise<{ types: Record<string, string>; lines: string[] }> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const source = `read_parquet('${join(dir, '*.parquet').replace(/'/g, "''")}')`;
    const described = (await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`)).getRowObjectsJS() as Array<{ column_name: string; column_type: string }>;
    const types = Object.fromEntries(described.map((d) => [d.column_name, d.column_type]));
    const select = columns
      .map((c) => {
        const q = `"${c.name}"`;
        if (c.kind === 'decimal') return `CAST(${q} AS VARCHAR) AS ${q}`;
        if (c.kind === 'timestamp') return `epoch_ms(${q}) AS ${q}`;
        return q;
      })
      .join(', ');
    const rows = (await connection.runAndReadAll(`SELECT ${select} FROM ${source}`)).getRowObjectsJS() as Array<Record<string, unknown>>;
    const lines = rows.map((row) => {
      const object: Record<string, unknown> = {};
      for (const c of columns) {
        const v = row[c.name];
        object[c.name] = v === null || v === undefined ? null : c.kind === 'timestamp' ? new Date(Number(v)).toISOString() : v;
      }
      return JSON.stringify(object);
    });
    return { types, lines: lines.sort() };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
