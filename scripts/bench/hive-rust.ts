/**
 * Bench target (c): Hive Gateway with the Rust query planner — `@graphql-hive/router-runtime`'s
 * `unifiedGraphHandler` (a native addon) in place of the JavaScript planner. See hive-gateway.ts.
 */
import { serveHive } from './hive-gateway';

/** Not followed by the type checker, for the reason given in hive-gateway.ts. */
const ROUTER_RUNTIME: string = '@graphql-hive/router-runtime';

import(ROUTER_RUNTIME)
  .then(({ unifiedGraphHandler }) => serveHive('hive-rust', unifiedGraphHandler))
  .catch((err) => {
  console.error(err);
  process.exit(1);
});
