/** The analytics subgraph's configuration: how often its store is refreshed. */
import { wholeNumber } from '../../platform/env';

export const DEFAULT_REFRESH_SECONDS = 10;

/** ANALYTICS_REFRESH_SECONDS, 1 to 3600 (default 10); a bad value stops start-up with a clear message. */
export function refreshSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const problems: string[] = [];
  const seconds = wholeNumber(env, 'ANALYTICS_REFRESH_SECONDS', DEFAULT_REFRESH_SECONDS, 1, 3600, problems);
  if (problems.length) throw new Error(`analytics subgraph: ${problems.join('; ')}`);
  return seconds;
}
