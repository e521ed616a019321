/**
 * What an exportable view is. Two kinds:
 * - a **connection**: one root field of the graph returning a cursor connection (`edges { cursor node }`,
 *   `pageInfo { hasNextPage endCursor }`), in a stable order, that takes `first`, `after`,
 *   `partition: { index, count }` and period arguments — rows by the million, pulled page by page;
 * - an **answer**: an aggregate the graph answers whole in one request (or a few), small by construction
 *   (retention's cohorts × months, demand's models × options) — pulled as one page per partition, its
 *   rows split among the partitions by a hash of their key, so `--partitions N` still writes N files whose
 *   union is the view.
 * An entry names its document(s), its columns and how the answer becomes rows (the long, "tidy" layout a
 * warehouse sums directly); the exporter, the writers and the tests need nothing else, so a new view is
 * one entry in `views.ts`.
 */
import type { Column } from './columns';

interface ViewBase {
  /** The `--view` name. */
  name: string;
  /** The root field of `Query` the view is served by (the "not in the graph yet" check names it). */
  field: string;
  /** One line for `--help`: what a row is. */
  description: string;
  /** Whether the view takes `$from`/`$to` (`--from`/`--to`): instants, from inclusive, to exclusive. */
  takesPeriod: boolean;
  columns: readonly Column[];
}

export interface ConnectionView extends ViewBase {
  kind: 'connection';
  /**
   * The operation for one page. Its variables are always `$first`, `$after`, `$partition` and, when the
   * view takes a period, `$from`/`$to`; it selects `edges { cursor node { … } }` and `pageInfo` under
   * `field`, and `totalCount` too when `hasTotalCount`.
   */
  document: string;
  /** Whether the connection says how many rows the whole (partition of the) view has: the progress bar's ETA. */
  hasTotalCount: boolean;
  /** The largest page asked for (and the default `--page-size`): what the field accepts and the analyst's cost budget admits. */
  maxFirst: number;
  /**
   * The rows one node becomes, for a node with nested lists (a vehicle's months): each row an object the
   * columns' paths address. Without it a node is one row.
   */
  rowsOf?: (node: unknown) => unknown[];
}

/** One GraphQL request through the gateway as the exporter's analyst: its `data`, or an `ExportError`. */
export type AskGraph = (document: string, variables: Record<string, unknown>) => Promise<Record<string, unknown>>;

export interface AnswerView extends ViewBase {
  kind: 'answer';
  /** Every row of the view (the period applied when it takes one), asked of the graph with `ask`. */
  rows: (ask: AskGraph, period: { from?: string; to?: string }) => Promise<unknown[]>;
  /** A row's identity in the view: which partition it goes to (the same row always to the same one). */
  keyOf: (row: unknown) => string;
}

export type ExportView = ConnectionView | AnswerView;
