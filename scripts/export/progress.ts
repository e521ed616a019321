/**
 * How far an export is: on a terminal a cli-progress bar (rows, rows/s, and an ETA when the view says
 * how many rows there are); otherwise — a pipe, a log file, a test — a plain line on stderr at most
 * every few seconds and once at the end.
 */
import { SingleBar } from 'cli-progress';

export interface ExportProgress {
  /** `rows` more rows were fetched. */
  add(rows: number): void;
  /** The view's row count became known (the first page of every partition said it). */
  setTotal(total: number): void;
  stop(): void;
}

const LOG_EVERY_MS = 5_000;

/**
 * `alreadyDone`: rows a resumed export had on disk before (counted in the rows, not in the rate).
 * `countable`: whether the view will say its row count (`setTotal`); without it there is no bar to fill.
 */
export function exportProgress(label: string, alreadyDone: number, countable: boolean, stream: NodeJS.WriteStream = process.stderr): ExportProgress {
  const started = Date.now();
  let rows = alreadyDone;
  let total: number | undefined;
  const rate = () => Math.round((rows - alreadyDone) / Math.max((Date.now() - started) / 1000, 0.001));
  if (stream.isTTY) {
    const bar = new SingleBar({
      stream,
      format: countable ? `${label} {bar} {value}{ofTotal} rows | {speed} rows/s | ETA {etaText}` : `${label} {value} rows | {speed} rows/s`,
      hideCursor: true,
      etaBuffer: 50,
    });
    bar.start(1, alreadyDone, { speed: 0, ofTotal: '', etaText: '–' });
    const refresh = () => {
      const speed = rate();
      const etaText = total !== undefined && speed > 0 ? `${Math.max(0, Math.round((total - rows) / speed))}s` : '–';
      bar.setTotal(Math.max(total ?? rows, rows, 1));
      bar.update(rows, { speed, ofTotal: total !== undefined ? ` / ${total}` : '', etaText });
    };
    return {
      add(n) {
        rows += n;
        refresh();
      },
      setTotal(n) {
        total = n;
        refresh();
      },
      stop: () => bar.stop(),
    };
  }
  let lastLog = started;
  const line = () => stream.write(`${label}: ${rows}${total !== undefined ? ` of ${total}` : ''} rows, ${rate()} rows/s\n`);
  return {
    add(n) {
      rows += n;
      if (Date.now() - lastLog >= LOG_EVERY_MS) {
        lastLog = Date.now();
        line();
      }
    },
    setTotal(n) {
      total = n;
    },
    stop: line,
  };
}
