/** Bench target (b): Hive Gateway with its default (JavaScript) query planner. See hive-gateway.ts. */
import { serveHive } from './hive-gateway';

serveHive('hive').catch((err) => {
  console.error(err);
  process.exit(1);
});
