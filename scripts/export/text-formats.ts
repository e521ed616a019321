/**
 * The two line formats: ndjson (one JSON object per row, keys in column order) and csv (RFC 4180: a
 * header row, CRLF line ends, a field quoted when it holds a comma, a quote, CR or LF, quotes doubled).
 * Both write a value the one way `cellText` does: decimals as their exact string (never a JSON number,
 * which a reader would turn into a float), instants as ISO-8601 UTC. In csv a null is an empty field and
 * an empty string is `""`, so the two stay apart.
 */
import { cellText, type CellValue, type Column } from './columns';

export interface LineFormat {
  extension: string;
  /** What a new file starts with (csv's header row). */
  header(columns: readonly Column[]): string;
  /** The text of some rows, each ending in its line end. */
  rows(columns: readonly Column[], rows: readonly CellValue[][]): string;
}

export const ndjson: LineFormat = {
  extension: 'ndjson',
  header: () => '',
  rows(columns, rows) {
    let out = '';
    for (const row of rows) {
      const object: Record<string, string | number | boolean | null> = {};
      columns.forEach((c, i) => {
        const v = row[i];
        object[c.name] = v === null || typeof v === 'number' || typeof v === 'boolean' ? v : cellText(v, c.type);
      });
      out += `${JSON.stringify(object)}\n`;
    }
    return out;
  },
};

/** One csv field, quoted when RFC 4180 says it must be (and an empty string, to tell it from null). */
export function csvField(text: string, isNull: boolean): string {
  if (isNull) return '';
  if (text === '' || /[",\r\n]/.test(text)) return `"${text.replace(/"/g, '""')}"`;
  return text;
}

export const csv: LineFormat = {
  extension: 'csv',
  header: (columns) => `${columns.map((c) => csvField(c.name, false)).join(',')}\r\n`,
  rows(columns, rows) {
    let out = '';
    for (const row of rows) out += `${columns.map((c, i) => csvField(cellText(row[i], c.type), row[i] === null)).join(',')}\r\n`;
    return out;
  },
};
