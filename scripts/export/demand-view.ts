/**
 * Co-creation demand as rows: for every model of the catalog, what respondents stated (the catalog's
 * `demand`) beside what was ordered (analytics' `orderedDemand`), one row per model, dimension and value,
 * so a warehouse compares stated and revealed preference with one GROUP BY:
 *
 * | dimension        | value                                   | stated_respondents | ordered | amounts                |
 * | `total`          | null                                    | respondents        | orders  | —                      |
 * | `colour`         | colour id (null: the trim's standard paint) | ✓             | ✓       | —                      |
 * | `battery_option` | OWNED / RENTAL                          | ✓                  | ✓       | —                      |
 * | `range`          | the stated bucket's label, e.g. `400-499 km` (orders of a trim of that range go in it; null: a trim without a range) | ✓ | ✓ | — |
 * | `trim`           | trim id (stated preferences name no trim) | null             | ✓       | —                      |
 * | `feature`        | a wished-for feature (orders name none) | ✓                  | null    | —                      |
 * | `price`          | `min`, `median`, `max`, `average`       | —                  | —       | stated / ordered, exact |
 *
 * A count absent on one side is 0 when that side lists the dimension (nobody chose it), null when it does
 * not (trims stated, features ordered, the median of orders, the average of statements).
 */
import { column } from './columns';
import type { AnswerView, AskGraph } from './view';

const MODELS = /* GraphQL */ `
  query ExportDemandModels($after: String) {
    models(first: 100, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } }
  }`;

/** The catalog ranks at most 50 features. */
const DEMAND = /* GraphQL */ `
  query ExportDemand($modelId: ID!) {
    demand(modelId: $modelId) {
      respondents
      byColour { colour { id } respondents }
      byBatteryOption { batteryOption respondents }
      byRange { label minKm maxKm respondents }
      priceExpectation { min { amount } median { amount } max { amount } }
      topFeatures(first: 50) { feature respondents }
    }
    orderedDemand(modelId: $modelId) {
      orders
      byTrim { trimId orders }
      byColour { colourId orders }
      byBatteryOption { batteryOption orders }
      byRange { rangeKm orders }
      price { min { amount } max { amount } average { amount } }
    }
  }`;

type Amount = { amount: string } | null | undefined;
interface Stated {
  respondents: number;
  byColour: Array<{ colour: { id: string }; respondents: number }>;
  byBatteryOption: Array<{ batteryOption: string; respondents: number }>;
  byRange: Array<{ label: string; minKm: number; maxKm: number | null; respondents: number }>;
  priceExpectation: { min: Amount; median: Amount; max: Amount } | null;
  topFeatures: Array<{ feature: string; respondents: number }>;
}
interface Ordered {
  orders: number;
  byTrim: Array<{ trimId: string; orders: number }>;
  byColour: Array<{ colourId: string | null; orders: number }>;
  byBatteryOption: Array<{ batteryOption: string; orders: number }>;
  byRange: Array<{ rangeKm: number | null; orders: number }>;
  price: { min: Amount; max: Amount; average: Amount } | null;
}

export interface DemandRow {
  modelId: string;
  dimension: string;
  value: string | null;
  statedRespondents: number | null;
  ordered: number | null;
  statedAmount: string | null;
  orderedAmount: string | null;
}

async function modelIds(ask: AskGraph): Promise<string[]> {
  const ids: string[] = [];
  for (let after: string | null = null; ; ) {
    const data = await ask(MODELS, { after });
    const page = data.models as { edges: Array<{ node: { id: string } }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
    ids.push(...page.edges.map((e) => e.node.id));
    if (!page.pageInfo.hasNextPage) return ids;
    after = page.pageInfo.endCursor;
  }
}

/** Stated and ordered counts of one dimension, by value: a value on either side is a row; the other side 0. */
function counted(modelId: string, dimension: string, stated: Map<string | null, number> | null, ordered: Map<string | null, number> | null): DemandRow[] {
  const values = new Set([...(stated?.keys() ?? []), ...(ordered?.keys() ?? [])]);
  return [...values].map((value) => ({
    modelId,
    dimension,
    value,
    statedRespondents: stated ? (stated.get(value) ?? 0) : null,
    ordered: ordered ? (ordered.get(value) ?? 0) : null,
    statedAmount: null,
    orderedAmount: null,
  }));
}

const sumBy = <T>(items: T[], key: (t: T) => string | null, n: (t: T) => number) => {
  const m = new Map<string | null, number>();
  for (const t of items) m.set(key(t), (m.get(key(t)) ?? 0) + n(t));
  return m;
};

/** The rows of one model (exported for the unit test beside it). */
export function demandRows(modelId: string, stated: Stated, ordered: Ordered): DemandRow[] {
  // Orders name a trim's exact range; statements a bucket: each order goes in the bucket holding its range.
  const bucketOf = (km: number | null) => (km === null ? null : (stated.byRange.find((b) => km >= b.minKm && (b.maxKm === null || km <= b.maxKm))?.label ?? null));
  const amount = (a: Amount) => a?.amount ?? null;
  const price = (value: string, s: Amount | undefined, o: Amount | undefined): DemandRow => ({ modelId, dimension: 'price', value, statedRespondents: null, ordered: null, statedAmount: s === undefined ? null : amount(s), orderedAmount: o === undefined ? null : amount(o) });
  const s = stated.priceExpectation;
  const o = ordered.price;
  return [
    { modelId, dimension: 'total', value: null, statedRespondents: stated.respondents, ordered: ordered.orders, statedAmount: null, orderedAmount: null },
    ...counted(modelId, 'colour', sumBy(stated.byColour, (c) => c.colour.id, (c) => c.respondents), sumBy(ordered.byColour, (c) => c.colourId, (c) => c.orders)),
    ...counted(modelId, 'battery_option', sumBy(stated.byBatteryOption, (b) => b.batteryOption, (b) => b.respondents), sumBy(ordered.byBatteryOption, (b) => b.batteryOption, (b) => b.orders)),
    ...counted(modelId, 'range', sumBy(stated.byRange, (b) => b.label, (b) => b.respondents), sumBy(ordered.byRange, (r) => bucketOf(r.rangeKm), (r) => r.orders)),
    ...counted(modelId, 'trim', null, sumBy(ordered.byTrim, (t) => t.trimId, (t) => t.orders)),
    ...counted(modelId, 'feature', sumBy(stated.topFeatures, (f) => f.feature, (f) => f.respondents), null),
    price('min', s?.min ?? null, o?.min ?? null),
    price('median', s?.median ?? null, undefined),
    price('max', s?.max ?? null, o?.max ?? null),
    price('average', undefined, o?.average ?? null),
  ];
}

export const demand: AnswerView = {
  kind: 'answer',
  name: 'demand',
  field: 'orderedDemand',
  description: "per model, dimension (colour, battery option, range, trim, feature, price) and value: stated beside ordered",
  takesPeriod: false,
  async rows(ask) {
    const rows: DemandRow[] = [];
    for (const modelId of await modelIds(ask)) {
      const data = await ask(DEMAND, { modelId });
      rows.push(...demandRows(modelId, data.demand as Stated, data.orderedDemand as Ordered));
    }
    return rows;
  },
  keyOf: (row) => {
    const r = row as DemandRow;
    return JSON.stringify([r.modelId, r.dimension, r.value]);
  },
  columns: [
    column.string('model_id', ['modelId']),
    column.string('dimension'),
    column.string('value', ['value'], true),
    column.int('stated_respondents', ['statedRespondents'], true),
    column.int('ordered', ['ordered'], true),
    column.money('stated_amount', ['statedAmount'], true),
    column.money('ordered_amount', ['orderedAmount'], true),
  ],
};
