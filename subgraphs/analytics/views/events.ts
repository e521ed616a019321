/**
 * The analyst lifecycle-events view: every contributor's events from the store, oldest first (then id),
 * filtered by stage, period, model/trim and city, one keyset-paged statement over `events_in_order`.
 */
import type { Queryable } from '../../../platform/db';
import { fenFromDb, money } from '../../../platform/money';
import { BULK_MAX_FIRST, readTimePage, toConnection, type PageArgs } from '../../kit/pagination';
import { readList, readPartition, readPeriod, type PartitionArg } from '../access';
import { storeAsOf } from '../store';

export interface EventFilterArg {
  stages?: string[] | null;
  from?: Date | string | null;
  to?: Date | string | null;
  modelIds?: string[] | null;
  trimIds?: string[] | null;
  cities?: string[] | null;
}

interface EventRow {
  event_id: string;
  source: string;
  occurred_at: Date;
  stage: string;
  kind: string;
  amount_fen: string | null;
  category: string | null;
  pseudonym: string;
  vin: string | null;
  order_id: string | null;
  model_id: string | null;
  trim_id: string | null;
  city: string | null;
  subject_type: string;
  subject_id: string;
}

function toNode(r: EventRow) {
  return {
    id: r.event_id,
    source: r.source,
    occurredAt: new Date(r.occurred_at),
    stage: r.stage,
    kind: r.kind,
    amount: r.amount_fen === null ? null : money(fenFromDb(r.amount_fen)),
    category: r.category,
    userId: r.pseudonym,
    vin: r.vin,
    orderId: r.order_id,
    modelId: r.model_id,
    trimId: r.trim_id,
    city: r.city,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
  };
}

export async function analystLifecycleEvents(q: Queryable, args: PageArgs & { filter?: EventFilterArg | null; partition?: PartitionArg | null }) {
  const { limit, after } = readTimePage(args, 100, BULK_MAX_FIRST);
  const f = args.filter ?? {};
  const period = readPeriod(f.from, f.to);
  const partition = readPartition(args.partition);
  const [asOf, rows] = await Promise.all([
    storeAsOf(q),
    q.query<EventRow>(
      `SELECT event_id, source, occurred_at, stage, kind, amount_fen::text AS amount_fen, category, pseudonym, vin, order_id, model_id, trim_id, city, subject_type, subject_id
         FROM analytics.events
        WHERE ($1::text[] IS NULL OR stage = ANY($1::text[]))
          AND ($2::timestamptz IS NULL OR occurred_at >= $2::timestamptz)
          AND ($3::timestamptz IS NULL OR occurred_at < $3::timestamptz)
          AND ($4::text[] IS NULL OR model_id = ANY($4::text[]))
          AND ($5::text[] IS NULL OR trim_id = ANY($5::text[]))
          AND ($6::text[] IS NULL OR city = ANY($6::text[]))
          AND ($7::bigint IS NULL OR part % $7::bigint = $8::bigint)
          -- A row comparison, so the page is a range of the index (events_in_order): an OR of the two parts
          -- reads every row after the cursor and sorts them — each page slower than the last, at 7 million rows
          -- seconds a page. The first page starts after (-infinity, '').
          AND (occurred_at, event_id COLLATE "C") > ($9::timestamptz, $10::text)
        ORDER BY occurred_at, event_id COLLATE "C"
        LIMIT $11`,
      [f.stages ?? null, period.from, period.to, readList(f.modelIds, 'filter.modelIds'), readList(f.trimIds, 'filter.trimIds'), readList(f.cities, 'filter.cities'), partition?.count ?? null, partition?.index ?? 0, after?.at ?? '-infinity', after?.id ?? '', limit + 1],
    ),
  ]);
  const nodes = rows.map(toNode);
  return { asOf, ...toConnection(nodes, limit, (n) => [n.occurredAt, n.id]) };
}
