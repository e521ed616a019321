/** Flag parsing shared by the scripts: `--name value`, `--name=value`, `--flag`; unknown flags are refused. */
import { ConfigError, loadConfig, type AutographConfig } from '../gateway/config';
export type FlagSpec = Record<string, 'string' | 'boolean' | 'int'>;

export function fail(message: string): never {
  console.error(`error: ${message}`);
  process.exit(2);
}

export function parseFlags(argv: string[], spec: FlagSpec): Record<string, string | boolean | number | undefined> {
  const out: Record<string, string | boolean | number | undefined> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const m = /^--([a-z][a-z-]*)(?:=(.*))?$/.exec(arg);
    if (!m) fail(`unexpected argument "${arg}" (flags: ${Object.keys(spec).map((k) => `--${k}`).join(', ')})`);
    const [, name, inline] = m;
    const kind = spec[name];
    if (!kind) fail(`unknown flag --${name} (flags: ${Object.keys(spec).map((k) => `--${k}`).join(', ')})`);
    if (kind === 'boolean') {
      if (inline !== undefined) fail(`--${name} takes no value`);
      out[name] = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value.startsWith('--')) fail(`--${name} needs a value`);
    if (kind === 'int') {
      if (!/^\d+$/.test(value)) fail(`--${name} must be a whole number, not "${value}"`);
      out[name] = Number(value);
    } else {
      out[name] = value;
    }
  }
  return out;
}

/** Loads the environment configuration, or exits with its list of problems. */
export function loadConfigOrExit(): AutographConfig {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
}
