/**
 * The views `npm run export` can pull, one entry each (see `view.ts` for what an entry is): the two
 * connections here, and the two aggregate answers in their own files (`retention-view.ts`,
 * `demand-view.ts`).
 */
import { column } from './columns';
import { demand } from './demand-view';
import { retention } from './retention-view';
import type { ConnectionView, ExportView } from './view';

const lifecycle: ConnectionView = {
  kind: 'connection',
  name: 'lifecycle',
  field: 'analystLifecycleEvents',
  description: 'every lifecycle event of every car (purchase, configuration, maintenance, usage, replacement), owners pseudonymised',
  // 3,011 in cost at 1,000 (the analyst's budget is 100,000).
  maxFirst: 1000,
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

interface OwnershipCostNode {
  months: Array<{ byCategory: unknown[] }>;
}

/**
 * One row per vehicle, month of ownership and spending category (the long layout: a warehouse sums it by
 * any of them; per vehicle the amounts add up to `vehicle_total`). A vehicle without any spending yet is
 * one row with the month and category columns null, so that no vehicle is missing.
 */
function ownershipCostRows(node: unknown): unknown[] {
  const vehicle = node as OwnershipCostNode;
  const rows = vehicle.months.flatMap((month) => month.byCategory.map((category) => ({ vehicle, month, category })));
  return rows.length ? rows : [{ vehicle, month: null, category: null }];
}

const ownershipCost: ConnectionView = {
  kind: 'connection',
  name: 'ownership-cost',
  field: 'analystOwnershipCosts',
  description: "every delivered vehicle's spending by month of ownership and category (--from/--to: delivery time)",
  // A vehicle is costed at 24 months × 8 categories: 200 cost 82,211 of the analyst's budget of 100,000.
  maxFirst: 200,
  takesPeriod: true,
  hasTotalCount: false,
  document: /* GraphQL */ `
    query ExportOwnershipCosts($first: Int!, $after: String, $partition: AnalyticsPartition, $from: DateTime, $to: DateTime) {
      analystOwnershipCosts(first: $first, after: $after, partition: $partition, filter: { deliveredFrom: $from, deliveredTo: $to }) {
        edges {
          cursor
          node {
            vin
            userId
            modelId
            trimId
            batteryOption
            deliveredAt
            total { amount currency }
            months { monthIndex month byCategory { category amount { amount } } }
          }
        }
        pageInfo { hasNextPage endCursor }
      }
    }`,
  rowsOf: ownershipCostRows,
  columns: [
    column.string('vin', ['vehicle', 'vin']),
    column.string('user_id', ['vehicle', 'userId']),
    column.string('model_id', ['vehicle', 'modelId']),
    column.string('trim_id', ['vehicle', 'trimId']),
    column.string('battery_option', ['vehicle', 'batteryOption']),
    column.timestamp('delivered_at', ['vehicle', 'deliveredAt']),
    column.money('vehicle_total', ['vehicle', 'total', 'amount']),
    column.string('currency', ['vehicle', 'total', 'currency']),
    column.int('month_index', ['month', 'monthIndex'], true),
    column.string('month', ['month', 'month'], true),
    column.string('category', ['category', 'category'], true),
    column.money('amount', ['category', 'amount', 'amount'], true),
  ],
};

export const VIEWS: Readonly<Record<string, ExportView>> = Object.fromEntries([lifecycle, ownershipCost, retention, demand].map((v) => [v.name, v]));
