/**
 * `npm run deps [-- --root DIR] [--json]` — checks which way the project's imports point, against the
 * rules in `.dependency-cruiser.js`, and prints each import that breaks one (exit 1 when any does).
 * `--root` checks another tree of the same layout (the rules test cruises a fixture tree with it);
 * `--json` prints the violations as a JSON array for a program to read.
 *
 * dependency-cruiser is ES modules only: jest's CommonJS sandbox cannot load it, so the test runs
 * this script (under tsx, which can) in a child process.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { IConfiguration, ICruiseResult } from 'dependency-cruiser';
import { parseFlags } from './cli';

/** One import that breaks a rule: `from` imports `to` (paths relative to the root). */
export interface DependencyViolation {
  from: string;
  to: string;
  rule: string;
  /** For a cycle: the files around it, starting and ending at `from`. */
  cycle?: string[];
}

/** The rules of this project, whatever tree is checked. */
export const RULES_FILE = resolve(__dirname, '..', '.dependency-cruiser.js');

/** The project's folders, as tsconfig.json's `include` lists them (so a new top folder is checked too). */
function sourceFolders(root: string): string[] {
  const tsconfig = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8')) as { include?: string[] };
  if (!tsconfig.include?.length) throw new Error(`${join(root, 'tsconfig.json')} has no "include" list of source folders`);
  return tsconfig.include;
}

/** Cruises the tree at `root` with this project's rules and returns every violation, sorted. */
export async function findDependencyViolations(root: string): Promise<DependencyViolation[]> {
  const { cruise } = await import('dependency-cruiser');
  const { options = {}, ...ruleSet } = require(RULES_FILE) as IConfiguration;
  const result = await cruise(sourceFolders(root), { ...options, baseDir: root, validate: true, ruleSet });
  const output = result.output as ICruiseResult;
  return output.summary.violations
    .map((v) => ({ from: v.from, to: v.to, rule: v.rule.name, ...(v.cycle ? { cycle: [v.from, ...v.cycle.map((c) => c.name)] } : {}) }))
    .sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to) || a.rule.localeCompare(b.rule));
}

/** One line per violation: `from → to (rule)`, a cycle written out. */
export function describeViolation(v: DependencyViolation): string {
  return `${v.from} → ${v.to} (${v.rule}${v.cycle ? `: ${v.cycle.join(' → ')}` : ''})`;
}

async function main() {
  const flags = parseFlags(process.argv.slice(2), { root: 'string', json: 'boolean' });
  const root = resolve((flags.root as string | undefined) ?? join(__dirname, '..'));
  const violations = await findDependencyViolations(root);
  if (flags.json) {
    console.log(JSON.stringify(violations));
  } else if (violations.length) {
    console.error(`${violations.length} import(s) break the dependency rules (.dependency-cruiser.js):\n  ${violations.map(describeViolation).join('\n  ')}`);
  } else {
    console.log('✓ every import follows the dependency rules (.dependency-cruiser.js).');
  }
  process.exit(violations.length && !flags.json ? 1 : 0);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(2);
  });
}
