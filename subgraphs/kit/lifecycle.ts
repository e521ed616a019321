/**
 * "What has happened to this car, and to me?" — the shared mechanics of the lifecycle timeline.
 *
 * Every subgraph with events in a car's life defines one SQL view, `<schema>.lifecycle_events`, with
 * one row per event (see `LifecycleEvent`). From it each contributor answers `<name>Events` on
 * `TimelinePage @key(fields: "userId vin first after")`: at most first+1 events after the shared cursor,
 * in the order every merged list uses (occurredAt desc, id desc; kit/merged-list/page.ts), read with one
 * index-ordered statement. The timeline subgraph merges them.
 */
import type { Queryable } from '../../platform/db';
import { fenFromDb } from '../../platform/money';
import type { TimeKey } from './pagination';
import type { MergedListSpec } from './merged-list/generate';
import { timeOrderSql, wireFen } from './merged-list/page';

/** The timeline as a list merged across contributors (subgraphs/kit/merged-list). */
export const TIMELINE_LIST: MergedListSpec = {
  parts: [{ type: 'TimelinePage', suffix: 'Events', itemType: 'LifecycleEventContribution', derived: ['edges', 'pageInfo'] }],
  categoryEnum: 'LifecycleEventKind',
  subjectUnion: 'LifecycleEventSource',
  // The real owner, and for a vehicle's timeline the order it was bought with (whose events, placed
  // before the car had a VIN, belong to it): both resolved by the timeline subgraph, never sent by a client.
  contributionRequires: 'internalUserId internalOrderId',
};

/** The stages of a car's life; every contributor declares the same enum `LifecycleStage`. */
export const LIFECYCLE_STAGES = ['PURCHASE', 'CONFIGURATION', 'MAINTENANCE', 'USAGE', 'REPLACEMENT'] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

/** A row of a subgraph's `lifecycle_events` view. */
export interface LifecycleEvent {
  /** Globally unique and stable: `<subgraph>:<kind>:<id>`, the spending line's id when the event is one. */
  id: string;
  occurredAt: Date;
  stage: LifecycleStage;
  /** The contributor's own `LifecycleEventKind` value. */
  kind: string;
  /** What the owner paid (negative: credited back), exactly the spending line's; null when none of their money moved. */
  amount: bigint | null;
  /** The GraphQL type of the entity the event is about (`Order`, `SwapSession`, ...) and its id. */
  subjectType: string;
  subjectId: string;
}

/** Whose timeline: a user's whole (vin and orderId empty), or what of it belongs to one vehicle. */
export interface TimelineOwner {
  /** The real user id. */
  userId: string;
  /** The vehicle's VIN; empty for the user's whole timeline. */
  vin: string;
  /** The order the vehicle was bought with; empty for the user's whole timeline. */
  orderId: string;
}

const ORDER = timeOrderSql('event_id', 4, 5);

/**
 * At most `limit` events of one timeline after `after`, newest first (one statement). A vehicle's are
 * the owner's events naming its VIN or its order; the view's index on (user_id, occurred_at, event_id)
 * keeps it one index-ordered read either way.
 */
export async function loadEvents(q: Queryable, schema: string, owner: TimelineOwner, after: TimeKey | null, limit: number): Promise<LifecycleEvent[]> {
  const rows = await q.query<{ event_id: string; occurred_at: Date; stage: LifecycleStage; kind: string; amount_fen: string | null; subject_type: string; subject_id: string }>(
    `SELECT event_id, occurred_at, stage, kind, amount_fen::text AS amount_fen, subject_type, subject_id
       FROM ${schema}.lifecycle_events
      WHERE user_id = $1 AND ($2::text = '' OR vin = $2::text OR order_id = $3::text)
        AND ${ORDER.after}
      ORDER BY ${ORDER.orderBy}
      LIMIT $6`,
    [owner.userId, owner.vin, owner.orderId, after?.at ?? null, after?.id ?? '', limit],
  );
  return rows.map((r) => ({
    id: r.event_id,
    occurredAt: new Date(r.occurred_at),
    stage: r.stage,
    kind: r.kind,
    amount: r.amount_fen === null ? null : fenFromDb(r.amount_fen),
    subjectType: r.subject_type,
    subjectId: r.subject_id,
  }));
}

/** Wire shape of an event in the internal `<name>Events` fields (amount as Decimal, i.e. bigint fen). */
export function eventToWire(e: LifecycleEvent) {
  return { id: e.id, occurredAt: e.occurredAt, stage: e.stage, kind: e.kind, amount: e.amount, subjectType: e.subjectType, subjectId: e.subjectId };
}

export function eventFromWire(e: { id: string; occurredAt: string | Date; stage: LifecycleStage; kind: string; amount: string | bigint | null; subjectType: string; subjectId: string }): LifecycleEvent {
  return { ...e, occurredAt: new Date(e.occurredAt), amount: e.amount === null || e.amount === undefined ? null : wireFen(e.amount) };
}
