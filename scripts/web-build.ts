/**
 * `npm run web:build` — builds the web app into web/dist (codegen, the persisted-query manifest, Vite); see
 * scripts/web/build.ts. Prints one line: how long, how many trusted documents, the bundle's size.
 */
import { buildWebApp, bundleSummary } from './web/build';

buildWebApp().then(
  (r) => console.log(`✓ built the web app into web/dist in ${(r.ms / 1000).toFixed(1)} s: ${r.operations} trusted documents (web/dist/persisted-query-manifest.json), assets ${bundleSummary(r)}`),
  (err) => {
    console.error(`error: ${(err as Error).message}`);
    process.exit(1);
  },
);
