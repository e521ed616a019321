/**
 * The timeline's merge: pages derived only from what each contributor sent (its `<name>Events`, fetched
 * by the gateway through `@requires`). This subgraph reads no table; authorization happened in each
 * contributor, which owns the rows, and is checked again here before a page is handed out.
 */
import { realUserId, requireReadUser, visibleUserId, type UserRef } from '../kit/auth';
import { money } from '../../platform/money';
import type { Identity } from '../../platform/identity';
import { contributionsOf } from '../kit/merged-list/contributions';
import type { Contributor } from '../kit/merged-list/generate';
import { mergeTimePage, oncePerRepresentation } from '../kit/merged-list/page';
import type { TimelinePageRef } from '../kit/timeline-contributor';
import { readPageSize, readTimePage, type PageArgs } from '../kit/pagination';
import { eventFromWire, TIMELINE_LIST, type LifecycleEvent } from '../kit/lifecycle';

interface Ctx {
  identity: Identity | null;
}
type PageRep = TimelinePageRef & Record<string, unknown>;
type WireEvent = Parameters<typeof eventFromWire>[0];
interface VehicleRep {
  vin: string;
  internalOwnerId?: string;
  order?: { id: string };
}

const [PAGE] = TIMELINE_LIST.parts;

/** The page a client asked for; a bad `first` or cursor is refused here, before any contributor is asked. */
function pageRef(args: PageArgs, owner: { userId: string; internalUserId: string; vin: string; internalOrderId: string }): Required<TimelinePageRef> {
  const first = readTimePage(args).limit;
  return { ...owner, first, after: args.after ?? '' };
}

/** The resolvers for one set of contributors (rebuilt when that set changes). */
export function timelineResolvers(contributors: readonly Contributor[]) {
  const sources = new Set(contributors.flatMap((c) => c.subjects));
  const page = oncePerRepresentation((rep: PageRep) => mergeTimePage(contributionsOf<WireEvent>(rep, contributors, PAGE).map((part) => part.map(eventFromWire)), readPageSize(rep.first)));
  return {
    User: {
      timeline(user: UserRef, args: PageArgs, ctx: Ctx) {
        const internalUserId = realUserId(ctx.identity, user);
        requireReadUser(ctx.identity, internalUserId);
        return pageRef(args, { userId: user.id, internalUserId, vin: '', internalOrderId: '' });
      },
    },
    Vehicle: {
      timeline(vehicle: VehicleRep, args: PageArgs, ctx: Ctx) {
        if (!vehicle.internalOwnerId || !vehicle.order?.id) throw new Error('a vehicle reached `timeline` without its owner and order (@requires)');
        requireReadUser(ctx.identity, vehicle.internalOwnerId);
        return pageRef(args, { userId: visibleUserId(ctx.identity, vehicle.internalOwnerId), internalUserId: vehicle.internalOwnerId, vin: vehicle.vin, internalOrderId: vehicle.order.id });
      },
    },
    TimelinePage: {
      // The whole representation comes back: the @requires'd contributions arrive in it.
      __resolveReference(rep: PageRep, ctx: Ctx) {
        requireReadUser(ctx.identity, rep.internalUserId ?? rep.userId);
        return rep;
      },
      edges: (rep: PageRep) => page(rep).edges,
      pageInfo: (rep: PageRep) => page(rep).pageInfo,
    },
    LifecycleEvent: {
      amount: (e: LifecycleEvent) => (e.amount === null ? null : money(e.amount)),
      // A reference the gateway resolves in the source's own subgraph; a type no contributor declared is none.
      source: (e: LifecycleEvent) => (sources.has(e.subjectType) ? { __typename: e.subjectType, id: e.subjectId } : null),
    },
    LifecycleEventSource: {
      __resolveType: (ref: { __typename: string }) => ref.__typename,
    },
  };
}
