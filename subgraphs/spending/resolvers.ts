/**
 * The spending report's merge: totals and pages derived only from what each contributor sent (its
 * `<name>Buckets` and `<name>Lines`, fetched by the gateway through `@requires`). This subgraph reads no
 * table; authorization happened in each contributor, which owns the rows.
 */
import { realUserId, requireReadUser, type UserRef } from '../kit/auth';
import { money } from '../../platform/money';
import type { Identity } from '../../platform/identity';
import { categoryOrder, contributionsOf } from '../kit/merged-list/contributions';
import { oncePerRepresentation as once } from '../kit/merged-list/page';
import type { Contributor } from '../kit/merged-list/generate';
import type { SpendingLinePageRef, SpendingReportRef } from '../kit/contributor';
import { readPageSize, readTimePage } from '../kit/pagination';
import {
  bucketFromWire,
  lineFromWire,
  mergePage,
  parsePeriod,
  periodKey,
  SPENDING_LIST,
  summarise,
  type SpendingLine,
} from '../kit/spending';

interface Ctx {
  identity: Identity | null;
}
type Rep = SpendingReportRef & Record<string, unknown>;
type PageRep = SpendingLinePageRef & Record<string, unknown>;
type WireBucket = Parameters<typeof bucketFromWire>[0];
type WireLine = Parameters<typeof lineFromWire>[0];

const [REPORT, PAGE] = SPENDING_LIST.parts;

/**
 * The real user id of a report or page. Apollo Gateway takes it from the fetch that returned the report; a
 * planner may instead ask this subgraph for it by the key alone (Hive's Rust planner does), which names the
 * user by `userId`: the user's own id for the user and an admin, a pseudonym for an analyst (NOT_FOUND:
 * only orders knows whose it is).
 */
const internalUserIdOf = (rep: SpendingReportRef, _args: unknown, ctx: Ctx) => realUserId(ctx.identity, { id: rep.userId, internalId: rep.internalUserId });

/** The resolvers for one set of contributors (rebuilt when that set changes). */
export function spendingResolvers(contributors: readonly Contributor[]) {
  const order = categoryOrder(contributors);
  const subjects = new Set(contributors.flatMap((c) => c.subjects));
  // Each derived field of one representation reads the same merge: computed once per representation.
  const report = once((rep: Rep) => summarise(contributionsOf<WireBucket>(rep, contributors, REPORT).flat().map(bucketFromWire), order));
  const page = once((rep: PageRep) => {
    const first = readPageSize(rep.first);
    const lines = contributionsOf<WireLine>(rep, contributors, PAGE).map((part) => part.map((l) => lineFromWire(l, rep.userId)));
    return mergePage(lines, first);
  });
  return {
    User: {
      spending(user: UserRef, args: { from?: Date | null; to?: Date | null }, ctx: Ctx) {
        const internalUserId = realUserId(ctx.identity, user);
        requireReadUser(ctx.identity, internalUserId);
        return { userId: user.id, internalUserId, period: periodKey(args.from, args.to) };
      },
    },
    SpendingReport: {
      // The whole representation comes back: the @requires'd contributions arrive in it.
      __resolveReference(rep: Rep, ctx: Ctx) {
        // Defence in depth: nothing here is read from a table, but only a reader of the user gets an answer.
        requireReadUser(ctx.identity, rep.internalUserId ?? rep.userId);
        parsePeriod(rep.period);
        return rep;
      },
      internalUserId: internalUserIdOf,
      from: (rep: Rep) => parsePeriod(rep.period).from,
      to: (rep: Rep) => parsePeriod(rep.period).to,
      total: (rep: Rep) => report(rep).total,
      byCategory: (rep: Rep) => report(rep).byCategory,
      byMonth: (rep: Rep) => report(rep).byMonth,
      lineCount: (rep: Rep) => report(rep).lineCount,
      lines(rep: Rep, args: { first?: number | null; after?: string | null }) {
        // A bad `first` or cursor is refused here, before any contributor is asked.
        const first = readTimePage(args).limit;
        const after = args.after ?? '';
        if (!rep.internalUserId) throw new Error('a spending report reached `lines` without its real user id');
        return { userId: rep.userId, internalUserId: rep.internalUserId, period: rep.period, first, after };
      },
    },
    SpendingLinePage: {
      __resolveReference(rep: PageRep, ctx: Ctx) {
        requireReadUser(ctx.identity, rep.internalUserId ?? rep.userId);
        return rep;
      },
      internalUserId: internalUserIdOf,
      edges: (rep: PageRep) => page(rep).edges,
      pageInfo: (rep: PageRep) => page(rep).pageInfo,
    },
    SpendingLine: {
      amount: (line: SpendingLine) => money(line.amount),
      // A reference the gateway resolves in the subject's own subgraph; a type no contributor declared is none.
      paidFor: (line: SpendingLine) => (subjects.has(line.subjectType) ? { __typename: line.subjectType, id: line.subjectId } : null),
    },
    SpendingSubject: {
      __resolveType: (ref: { __typename: string }) => ref.__typename,
    },
  };
}
