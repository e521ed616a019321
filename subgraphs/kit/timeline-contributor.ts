/**
 * Resolvers every timeline contributor shares: the entity reference of `TimelinePage` and its
 * `<name>Events` field, answered from the subgraph's own `lifecycle_events` view. Authorization happens
 * here, in the subgraph that owns the rows, exactly as for spending (`readableUserId`): the owner, an
 * analyst, an admin or another subgraph; a partner or another customer gets FORBIDDEN. Events carry no
 * text a person wrote, so analysts read them as they are (behind a pseudonymous `userId`).
 */
import DataLoader from 'dataloader';
import type { Db } from '../../platform/db';
import type { Identity } from '../../platform/identity';
import { readableUserId } from './contributor';
import { eventToWire, loadEvents, type LifecycleEvent } from './lifecycle';
import { readTimePage } from './pagination';

/** A `TimelinePage` as contributors receive it (the internal fields through `@requires`). */
export interface TimelinePageRef {
  /** The owner as the caller sees them: a pseudonym for analysts. */
  userId: string;
  /** The vehicle's VIN; empty for a user's whole timeline. */
  vin: string;
  first: number;
  after: string;
  /** The real user id (inaccessible to clients). */
  internalUserId?: string;
  /** The vehicle's order; empty for a user's whole timeline (inaccessible to clients). */
  internalOrderId?: string;
}

/** Per-request loader over one subgraph's `lifecycle_events` view (one statement per page asked). */
export function createTimelineLoaders(db: Db, schema: string) {
  return {
    events: new DataLoader<Required<TimelinePageRef>, LifecycleEvent[], string>(
      (refs) =>
        Promise.all(
          refs.map((r) => {
            const { limit, after } = readTimePage({ first: r.first, after: r.after });
            return loadEvents(db, schema, { userId: r.internalUserId, vin: r.vin, orderId: r.internalOrderId }, after, limit + 1);
          }),
        ),
      { cacheKeyFn: (r) => [r.internalUserId, r.vin, r.internalOrderId, r.first, r.after].join('\u0000') },
    ),
  };
}
export type TimelineLoaders = ReturnType<typeof createTimelineLoaders>;

interface WithTimeline {
  identity: Identity | null;
  loaders: { timeline: TimelineLoaders };
}

/** The resolvers a contributing subgraph adds for its `<name>Events` field. */
export function timelineContributorResolvers(name: string) {
  return {
    TimelinePage: {
      __resolveReference(ref: TimelinePageRef, ctx: WithTimeline) {
        readableUserId(ref, ctx);
        return ref;
      },
      [`${name}Events`]: async (ref: TimelinePageRef, _args: unknown, ctx: WithTimeline) => {
        const userId = readableUserId(ref, ctx);
        // A vehicle's page names its order; without one (a direct call) it reads only the VIN's events.
        const events = await ctx.loaders.timeline.events.load({ ...ref, internalUserId: userId, vin: ref.vin ?? '', internalOrderId: ref.vin ? ref.internalOrderId ?? '' : '' });
        return events.map(eventToWire);
      },
    },
  };
}
