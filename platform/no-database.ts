/**
 * The database of a subgraph that has none. A stateless subgraph (a merger such as spending) keeps the
 * kit's one `Db` interface, but nothing behind it: an embedded PGlite it never wrote to held ~800 MB of
 * RSS per process (measured when each subgraph runs alone, as in a deployment). Any statement is a
 * programming error and says so.
 */
import { DbUsageError, type Db } from './db';

/** A `Db` for subgraph `name` that refuses every statement. */
export function noDatabase(name: string): Db {
  const refuse = (): never => {
    throw new DbUsageError(`${name} is stateless: it has no database to query`);
  };
  return {
    kind: 'none',
    statementCount: 0,
    query: async () => refuse(),
    tx: async () => refuse(),
    listen: async () => refuse(),
    close: async () => undefined,
  };
}
