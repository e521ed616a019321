/**
 * `npm run deploy:manifests` — writes the Kubernetes manifests derived from the subgraph folders
 * (scripts/deploy/manifests.ts: a Deployment, Service and PodDisruptionBudget per subgraph, their addresses,
 * the base kustomization, the production overlay's registry patch) and removes those of folders gone.
 * `npm run deploy:manifests -- --check` — exits 1 when any of them is stale.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { subgraphs } from '../subgraphs';
import { BASE_DIR, deployFiles } from './deploy/manifests';
import { parseFlags } from './cli';

const flags = parseFlags(process.argv.slice(2), { check: 'boolean' });
const inTree = (path: string) => resolve(__dirname, '..', path);
const files = deployFiles(subgraphs().map((m) => ({ name: m.name, port: m.port, stateless: Boolean(m.stateless), fromPeers: Boolean(m.fromPeers), background: typeof m.background === 'function' })));
const wanted = new Set(files.map(([p]) => p));
const subgraphDir = `${BASE_DIR}/subgraphs`;
const leftOver = (existsSync(inTree(subgraphDir)) ? readdirSync(inTree(subgraphDir)) : []).map((f) => `${subgraphDir}/${f}`).filter((p) => !wanted.has(p));

if (flags.check) {
  const stale = files.filter(([path, content]) => (existsSync(inTree(path)) ? readFileSync(inTree(path), 'utf8') : '') !== content).map(([p]) => p);
  const problems = [...stale.map((p) => `${p} is stale`), ...leftOver.map((p) => `${p} belongs to no subgraph folder`)];
  if (problems.length) {
    console.error(`${problems.join('; ')}: not what the subgraph folders give now. Run \`npm run deploy:manifests\` and commit the result.`);
    process.exit(1);
  }
  console.log(`✓ the ${files.length} generated Kubernetes manifests are up to date.`);
} else {
  for (const [path, content] of files) {
    mkdirSync(dirname(inTree(path)), { recursive: true });
    writeFileSync(`${inTree(path)}.tmp`, content);
    renameSync(`${inTree(path)}.tmp`, inTree(path));
  }
  for (const p of leftOver) unlinkSync(inTree(p));
  console.log(`✓ wrote ${files.length} Kubernetes manifests${leftOver.length ? `, removed ${leftOver.join(', ')}` : ''}`);
}
