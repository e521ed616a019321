/**
 * `npm run web:build [-- --if-stale]` — builds the web app into web/dist (codegen, the persisted-query manifest,
 * Vite); see scripts/web/build.ts. Prints one line: how long, how many trusted documents, the bundle's size.
 * `--if-stale`: only when web/dist is missing or older than its sources (what `npm start` and `npm test` do).
 */
import { buildWebApp, bundleSummary, webBuildStaleness } from './web/build';
import { parseFlags } from './cli';

const flags = parseFlags(process.argv.slice(2), { 'if-stale': 'boolean' });
const why = webBuildStaleness();
if (flags['if-stale'] && why === null) {
  console.log('✓ web/dist is up to date with its sources');
} else {
  buildWebApp().then(
    (r) => console.log(`✓ built the web app into web/dist in ${(r.ms / 1000).toFixed(1)} s${why ? ` (${why})` : ''}: ${r.operations} trusted documents (web/dist/persisted-query-manifest.json), assets ${bundleSummary(r)}`),
    (err) => {
      console.error(`error: ${(err as Error).message}`);
      process.exit(1);
    },
  );
}
