/**
 * What an exportable view is: one root field of the graph returning a cursor connection
 * (`edges { cursor node }`, `pageInfo { hasNextPage endCursor }`), in a stable order, that takes
 * `first`, `after`, `partition: { index, count }` and period arguments. An entry names its document,
 * its columns and, for nodes with nested lists, how a node becomes rows (the long, "tidy" layout a warehouse
 * sums directly); the exporter, the writers and the tests need nothing else, so a new view is one entry
 * in `views.ts`.
 */
import type { Column } from './columns';

export interface ExportView {
  /** The `--view` name. */
  name: string;
  /** The root field of `Query` the view is served by (the "not in the graph yet" check names it). */
  field: string;
  /** One line for `--help`: what a row is. */
  description: string;
  /**
   * The operation for one page. Its variables are always `$first`, `$after`, `$partition` and, when the
   * view takes a period, `$from`/`$to`; it selects `edges { cursor node { … } }` and `pageInfo` under
   * `field`, and `totalCount` too when `hasTotalCount`.
   */
  document: string;
  /** Whether the connection says how many rows the whole (partition of the) view has: the progress bar's ETA. */
  hasTotalCount: boolean;
  /** The largest `first` the field accepts (and the default `--page-size`). */
  maxFirst: number;
  /** Whether the view takes `$from`/`$to` (`--from`/`--to`): instants, from inclusive, to exclusive. */
  takesPeriod: boolean;
  columns: readonly Column[];
  /**
   * The rows one node becomes, for a node with nested lists (a vehicle's months): each row an object the
   * columns' paths address. Without it a node is one row.
   */
  rowsOf?: (node: unknown) => unknown[];
}
