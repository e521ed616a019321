/**
 * The views `npm run export` can pull, one entry each (see `view.ts` for what an entry is). A view the
 * data team has asked for but the graph does not serve yet is listed in `PLANNED_VIEWS`, so asking
 * for it says so instead of "unknown view".
 */
import { column } from './columns';
import type { ExportView } from './view';

const lifecycle: ExportView = {
  name: 'lifecycle',
  field: 'analystLifecycleEvents',
  description: 'every lifecycle event of every car (purchase, configuration, maintenance, usage, replacement), owners pseudonymised',
  maxFirst: 100,
  takesPeriod: true,
  hasTotalCount: false,
  document: /* GraphQL */ `
    query ExportLifecycleEvents($first: Int!, $after: String, $partition: AnalyticsPartition, $from: DateTime, $to: DateTime) {
      analystLifecycleEvents(first: $first, after: $after, partition: $partition, filter: { from: $from, to: $to }) {
        edges {
          cursor
          node {
            id
            source
            occurredAt
            stage
            kind
            amount { amount currency }
            category
            userId
            vin
            orderId
            modelId
            trimId
            city
            subjectType
            subjectId
          }
        }
        pageInfo { hasNextPage endCursor }
      }
    }`,
  columns: [
    column.string('id'),
    column.string('source'),
    column.timestamp('occurred_at', ['occurredAt']),
    column.string('stage'),
    column.string('kind'),
    column.money('amount', ['amount', 'amount'], true),
    column.string('currency', ['amount', 'currency'], true),
    column.string('category', ['category'], true),
    column.string('user_id', ['userId']),
    column.string('vin', ['vin'], true),
    column.string('order_id', ['orderId'], true),
    column.string('model_id', ['modelId'], true),
    column.string('trim_id', ['trimId'], true),
    column.string('city', ['city'], true),
    column.string('subject_type', ['subjectType']),
    column.string('subject_id', ['subjectId']),
  ],
};

export const VIEWS: Readonly<Record<string, ExportView>> = { [lifecycle.name]: lifecycle };

/** Views agreed for the analytics subgraph that this exporter has no entry for yet. */
export const PLANNED_VIEWS: readonly string[] = ['ownership-cost', 'retention', 'demand'].filter((name) => !(name in VIEWS));
