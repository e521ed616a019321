/**
 * Reading configuration variables, shared by everything that reads them (the stack's config, each
 * gateway feature for its own variables). Every reader takes the list of problems found so far and
 * adds one clear message per bad value — naming the variable and what it accepts — instead of
 * throwing, so start-up reports every problem at once. An unset or empty variable is the fallback.
 */

/** The value of `name`, or undefined when it is unset or empty. */
function given(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw === '' ? undefined : raw;
}

export function port(env: NodeJS.ProcessEnv, name: string, fallback: number, problems: string[]): number {
  const raw = given(env, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n > 65535) {
    problems.push(`${name}=${JSON.stringify(raw)} is not a TCP port (1-65535, or 0 for any free port)`);
    return fallback;
  }
  return n;
}

export function wholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number, problems: string[]): number {
  const raw = given(env, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) {
    problems.push(`${name}=${JSON.stringify(raw)} must be a whole number from ${min} to ${max}`);
    return fallback;
  }
  return n;
}

export function url(env: NodeJS.ProcessEnv, name: string, protocols: string[], problems: string[]): string | undefined {
  const raw = given(env, name);
  if (raw === undefined) return undefined;
  try {
    const u = new URL(raw);
    if (!protocols.includes(u.protocol)) throw new Error();
    return raw;
  } catch {
    problems.push(`${name}=${JSON.stringify(raw)} is not a ${protocols.map((p) => p.replace(':', '://')).join(' or ')} URL`);
    return undefined;
  }
}

export function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean, problems: string[]): boolean {
  const raw = given(env, name);
  if (raw === undefined) return fallback;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  problems.push(`${name}=${JSON.stringify(raw)} must be true or false`);
  return fallback;
}

/** NODE_ENV as every reader sees it (an invalid value is reported by the config and read as development). */
export type NodeEnv = 'development' | 'production' | 'test';

/**
 * A comma-separated list, each entry read by `entry` (which throws an Error saying what is wrong with
 * it); undefined when unset. Every bad entry is its own problem.
 */
export function list<T>(env: NodeJS.ProcessEnv, name: string, entry: (raw: string) => T, problems: string[]): T[] | undefined {
  const raw = given(env, name);
  if (raw === undefined) return undefined;
  const values: T[] = [];
  const entries = raw.split(',').map((e) => e.trim());
  if (entries.some((e) => e === '')) problems.push(`${name}=${JSON.stringify(raw)} has an empty entry: separate entries with single commas`);
  for (const e of entries.filter((e) => e !== '')) {
    try {
      values.push(entry(e));
    } catch (err) {
      problems.push(`${name}: ${JSON.stringify(e)} ${(err as Error).message}`);
    }
  }
  return values;
}
