/**
 * `npm install` / `npm ci` as a new user runs them must print nothing to interpret: every locked package
 * runs on every Node version package.json promises, and every install script has been reviewed.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

// semver comes with npm's own dependency tree here (jest, make-fetch-happen …); its types do not.
const semver = require('semver') as { subset(sub: string, dom: string): boolean; validRange(range: string): string | null };

const root = resolve(__dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string }; allowScripts?: Record<string, boolean> };
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; engines?: unknown; hasInstallScript?: boolean; optional?: boolean }>;
};
const locked = Object.entries(lock.packages).filter(([path]) => path !== '');
const nameOf = (path: string) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);

describe('the lockfile and package.json agree on what a new install needs', () => {
  test('package.json engines.node is a valid range', () => {
    expect(semver.validRange(pkg.engines.node)).not.toBeNull();
  });

  test('every locked package accepts every Node version package.json engines allows (no EBADENGINE warning)', () => {
    const excluding = locked
      .filter(([, meta]) => typeof (meta.engines as { node?: unknown } | undefined)?.node === 'string')
      .filter(([, meta]) => !semver.subset(pkg.engines.node, (meta.engines as { node: string }).node))
      .map(([path, meta]) => `${nameOf(path)}@${meta.version} wants node ${(meta.engines as { node: string }).node}`);
    expect({ engines: pkg.engines.node, excluding }).toEqual({ engines: pkg.engines.node, excluding: [] });
  });

  test('every package with an install script is approved or denied in allowScripts (no install-scripts warning)', () => {
    const reviewed = new Set(Object.keys(pkg.allowScripts ?? {}).map((key) => key.replace(/(?<=.)@[^@/]+$/, '')));
    const unreviewed = locked.filter(([, meta]) => meta.hasInstallScript).map(([path, meta]) => `${nameOf(path)}@${meta.version}`).filter((id) => !reviewed.has(id.replace(/(?<=.)@[^@/]+$/, '')));
    expect(unreviewed).toEqual([]);
  });
});
