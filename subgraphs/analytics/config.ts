/** The analytics subgraph's configuration: how often its store is refreshed. */
import { wholeNumber } from '../../platform/env';

export const DEFAULT_REFRESH_SECONDS = 10;

/** Reads ANALYTICS_REFRESH_SECONDS, 1 to 3600 (default 10), adding a line to `problems` for a bad value. */
export function readRefreshSeconds(env: NodeJS.ProcessEnv, problems: string[]): number {
  return wholeNumber(env, 'ANALYTICS_REFRESH_SECONDS', DEFAULT_REFRESH_SECONDS, 1, 3600, problems);
}

/** ANALYTICS_REFRESH_SECONDS once start-up has validated it (`settings` of the module). */
export function refreshSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const problems: string[] = [];
  const seconds = readRefreshSeconds(env, problems);
  if (problems.length) throw new Error(`analytics subgraph: ${problems.join('; ')}`);
  return seconds;
}
