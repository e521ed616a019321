/**
 * The supergraph from a file (`npm start`, `npm run gateway`; SUPERGRAPH_PATH or --supergraph), served
 * as it changes: `npm run compose` writing a new one is picked up without a restart. The file's
 * directory is watched (`fs.watch`, so a file replaced by a rename is seen too), and a change is read
 * once the events have settled for `debounceMs`; the file is also read every `pollMs`, for file systems
 * where watching misses changes (network mounts, a symlink swapped by a container runtime). A file that
 * cannot be read keeps the current supergraph serving and is logged once.
 */
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { logger } from '../platform/logger';
import { SupergraphKeeper, supergraphId, type SupergraphSource } from './supergraph-source';

export interface FileSupergraphOptions {
  /** Quiet time after the last change event before the file is read (default 200 ms). */
  debounceMs?: number;
  /** How often the file is read regardless of events (default 5000 ms; 0: never). */
  pollMs?: number;
  /** Watch the directory for changes (default true). */
  watch?: boolean;
}

/** The supergraph file cannot be read at start-up. */
export class SupergraphFileError extends Error {}

function readSupergraph(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new SupergraphFileError(`cannot read the supergraph at ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): run \`npm run compose\` or pass --supergraph PATH`);
  }
}

/** A source serving the file at `path`; throws SupergraphFileError now when it cannot be read. */
export function fileSupergraph(path: string, opts: FileSupergraphOptions = {}): SupergraphSource {
  const { debounceMs = 200, pollMs = 5000 } = opts;
  readSupergraph(path);
  const keeper = new SupergraphKeeper(`file ${path}`);
  let watcher: FSWatcher | undefined;
  let poller: NodeJS.Timeout | undefined;
  let settling: NodeJS.Timeout | undefined;
  let stopped = false;
  let unreadable: string | undefined;
  /** The file's content when last read: only a change is offered (a refused file is not refused again at every poll). */
  let lastReadId: string | undefined;

  const check = () => {
    if (stopped) return;
    let sdl: string;
    try {
      sdl = readSupergraph(path);
    } catch (err) {
      if (unreadable !== (err as Error).message) logger.warn({ service: 'gateway', source: keeper.source }, `${(err as Error).message}; the current supergraph keeps serving`);
      unreadable = (err as Error).message;
      return;
    }
    unreadable = undefined;
    const id = supergraphId(sdl);
    if (id === lastReadId) return;
    lastReadId = id;
    keeper.offer(sdl);
  };
  const changed = () => {
    clearTimeout(settling);
    settling = setTimeout(check, debounceMs);
    settling.unref();
  };

  return {
    async initialize({ update }) {
      keeper.attach(update);
      const supergraphSdl = keeper.initial(readSupergraph(path));
      lastReadId = supergraphId(supergraphSdl);
      if (opts.watch ?? true) {
        const name = basename(path);
        const fallback = pollMs > 0 ? `it is still read every ${pollMs} ms` : 'changes are seen only after a restart';
        const unwatched = (err: unknown) => logger.warn({ service: 'gateway', source: keeper.source, err }, `watching the supergraph file failed; ${fallback}`);
        try {
          watcher = watch(dirname(path), { persistent: false }, (_event, file) => {
            if (!file || file === name) changed();
          });
          watcher.on('error', unwatched);
        } catch (err) {
          // e.g. ENOSPC: the system's inotify watches are used up. Polling still serves changes.
          unwatched(err);
        }
      }
      if (pollMs > 0) {
        poller = setInterval(check, pollMs);
        poller.unref();
      }
      return {
        supergraphSdl,
        async cleanup() {
          stopped = true;
          watcher?.close();
          clearInterval(poller);
          clearTimeout(settling);
        },
      };
    },
    status: () => keeper.status(),
  };
}
