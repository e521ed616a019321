/**
 * Why an export stopped, as a person can act on it. `resumable` says whether what was written so far
 * is kept for `--resume` (a failure mid-way) or whether nothing was written (refused before the start).
 */
export type ExportFailureKind =
  /** Flags or the output directory are wrong; nothing was written. */
  | 'usage'
  /** The token was refused (missing, forged, expired) or its role may not read the view. */
  | 'auth'
  /** The gateway's schema has no such root field: the view is not in the graph yet. */
  | 'missing-view'
  /** The gateway could not be reached or kept failing. */
  | 'unreachable'
  /** The gateway answered a page with an error, or sent a row that does not fit the view's columns. */
  | 'page'
  /** Ctrl-C or SIGTERM: stopped after the last completed page. */
  | 'interrupted';

export class ExportError extends Error {
  /** Set once the export had started writing: what is on disk is kept and `--resume` continues it. */
  resumable = false;

  constructor(
    readonly kind: ExportFailureKind,
    message: string,
  ) {
    super(message);
  }
}

/** The process exit code for each kind: 2 for what the caller must change, 1 for a failure mid-way, 130 for Ctrl-C. */
export function exitCodeOf(kind: ExportFailureKind): number {
  if (kind === 'interrupted') return 130;
  if (kind === 'usage' || kind === 'auth' || kind === 'missing-view') return 2;
  return 1;
}
