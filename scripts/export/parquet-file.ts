/**
 * One complete Parquet file of rows, written by hyparquet-writer with an explicit schema: exact decimals
 * as `DECIMAL(precision, scale)` over INT64 (the unscaled value, fen for money — never a float),
 * instants as `TIMESTAMP(MILLIS, UTC)`, text as UTF-8 `STRING`, integers as INT32, booleans. The file is
 * written under a temporary name, fsynced and renamed, so a reader (or a resume) never sees half a file.
 */
import { open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { SchemaElement } from 'hyparquet';
import type { CellValue, Column } from './columns';
import { syncDirectory } from './state';

/** Largest precision INT64 holds (the Parquet spec's limit for an INT64 DECIMAL). */
const MAX_INT64_PRECISION = 18;

/** The Parquet schema element of one column. */
export function parquetSchemaElement(column: Column): SchemaElement {
  const repetition_type = column.nullable ? 'OPTIONAL' : 'REQUIRED';
  const t = column.type;
  switch (t.kind) {
    case 'string':
      return { name: column.name, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' }, repetition_type };
    case 'int':
      return { name: column.name, type: 'INT32', repetition_type };
    case 'boolean':
      return { name: column.name, type: 'BOOLEAN', repetition_type };
    case 'timestamp':
      return { name: column.name, type: 'INT64', converted_type: 'TIMESTAMP_MILLIS', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' }, repetition_type };
    case 'decimal':
      if (t.precision > MAX_INT64_PRECISION) throw new Error(`column ${column.name}: DECIMAL(${t.precision}, ${t.scale}) is wider than INT64 holds (${MAX_INT64_PRECISION} digits)`);
      return {
        name: column.name,
        type: 'INT64',
        converted_type: 'DECIMAL',
        precision: t.precision,
        scale: t.scale,
        logical_type: { type: 'DECIMAL', precision: t.precision, scale: t.scale },
        repetition_type,
      };
  }
}

export async function writeParquetFile(dir: string, name: string, columns: readonly Column[], rows: readonly CellValue[][]): Promise<void> {
  // ES module only: loaded when the first Parquet file is written.
  const { parquetWriteBuffer } = await import('hyparquet-writer');
  const schema: SchemaElement[] = [{ name: 'root', num_children: columns.length }, ...columns.map(parquetSchemaElement)];
  const columnData = columns.map((c, i) => ({ name: c.name, data: rows.map((row) => row[i]) }));
  const bytes = new Uint8Array(parquetWriteBuffer({ columnData, schema, rowGroupSize: rows.length }));
  const temporary = join(dir, `.${name}.tmp`);
  const file = await open(temporary, 'w');
  try {
    await file.writeFile(bytes);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temporary, join(dir, name));
  await syncDirectory(dir);
}
