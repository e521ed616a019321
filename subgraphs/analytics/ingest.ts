/**
 * The analytics store's refresh: one round reads, from every contributor's lifecycle feed, the people
 * whose events changed since its cursor (a transaction-id horizon; kit/lifecycle-feed.ts), then for
 * those people, a thousand at a time, all their events from every contributor and orders' facts about
 * them, and replaces what the store holds of them (store.ts). The cursors move only when the whole
 * round is stored, so a round that fails half-way is done again; replacing is idempotent.
 *
 * Contributors are found from the peers (whoever serves `<name>LifecycleChanges`), so a new contributor
 * is read without an edit here. Rounds never overlap: a refresh asked for while one runs waits for it.
 */
import { GraphQLError, Kind, type DocumentNode } from 'graphql';
import type { Db } from '../../platform/db';
import { logger } from '../../platform/logger';
import type { LifecycleFeedEvent } from '../kit/lifecycle-feed';
import { feedFieldsOf, MAX_FEED_USERS } from '../kit/lifecycle-feed';
import type { PeerSchema, ServiceClient } from '../kit/module';
import { wireFen } from '../kit/merged-list/page';
import { knownTrims, replaceUsers, saveRound, type TrimFacts, type UserFacts } from './store';

/** What a refresh did. */
export interface RefreshOutcome {
  asOf: Date;
  /** People whose data was replaced. */
  users: number;
  /** The contributors read. */
  sources: string[];
}

type WireFeedEvent = Omit<LifecycleFeedEvent, 'occurredAt' | 'amount'> & { occurredAt: string; amount: string | null };

/** The names of the Query fields a peer's schema defines. */
function queryFields(doc: DocumentNode): Set<string> {
  const names = new Set<string>();
  for (const d of doc.definitions) {
    if ((d.kind === Kind.OBJECT_TYPE_DEFINITION || d.kind === Kind.OBJECT_TYPE_EXTENSION) && d.name.value === 'Query') {
      for (const f of d.fields ?? []) names.add(f.name.value);
    }
  }
  return names;
}

/** The peers with a lifecycle feed, and the one that hands on the facts about people (`<name>AnalystFactsOf`). */
export function feedSources(peers: readonly PeerSchema[]): { contributors: string[]; facts: string | null } {
  const contributors: string[] = [];
  let facts: string | null = null;
  for (const p of peers) {
    const fields = queryFields(p.typeDefs);
    if (fields.has(feedFieldsOf(p.name).changes) && fields.has(feedFieldsOf(p.name).eventsOf)) contributors.push(p.name);
    if (fields.has(`${p.name}AnalystFactsOf`)) facts = p.name;
  }
  return { contributors: contributors.sort(), facts };
}

const TRIM_QUERY = `query($t:ID!){ trim(id:$t){ id model { id } batteryOption rangeKm } }`;

export class AnalyticsIngester {
  private last: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly services: ServiceClient,
    private readonly peers: () => readonly PeerSchema[],
  ) {}

  /** Runs one round after any round under way (rounds never overlap). */
  refresh(): Promise<RefreshOutcome> {
    const next = this.last.then(() => this.round(), () => this.round());
    this.last = next.catch(() => undefined);
    return next;
  }

  /**
   * A read of a peer, tried once more when the connection broke (a kept-alive socket the peer closed while
   * a long batch was being stored): every call here is a read, so repeating it is safe. The peer's own
   * answer (an error with a code) is not repeated.
   */
  private async call<T>(subgraph: string, query: string, variables: Record<string, unknown>): Promise<T> {
    try {
      return await this.services.call<T>(subgraph, query, variables);
    } catch (err) {
      if (err instanceof GraphQLError) throw err;
      return this.services.call<T>(subgraph, query, variables);
    }
  }

  /** Waits for the round under way, if any. */
  async idle(): Promise<void> {
    await this.last;
  }

  private async round(): Promise<RefreshOutcome> {
    const startedAt = new Date();
    const { contributors, facts } = feedSources(this.peers());
    if (!facts) throw new Error('no peer hands on the facts about people (`<name>AnalystFactsOf`): the analytics store cannot group by vehicle');
    const cursors = new Map((await this.db.query<{ source: string; since: string }>('SELECT source, since FROM analytics.feed_cursors')).map((r) => [r.source, r.since]));
    const horizons = new Map<string, string>();
    const changed = new Set<string>();
    for (const source of contributors) {
      const since = cursors.get(source) ?? '';
      let horizon: string | null = null;
      let afterUserId: string | null = null;
      for (;;) {
        const field = feedFieldsOf(source).changes;
        const answer: Record<string, { userIds: string[]; horizon: string; hasMore: boolean }> = await this.call(
          source,
          `query($s:String!,$h:String,$a:String){ ${field}(since:$s, horizon:$h, afterUserId:$a){ userIds horizon hasMore } }`,
          { s: since, h: horizon, a: afterUserId },
        );
        const page = answer[field];
        horizon = page.horizon;
        for (const id of page.userIds) changed.add(id);
        if (!page.hasMore || page.userIds.length === 0) break;
        afterUserId = page.userIds[page.userIds.length - 1];
      }
      horizons.set(source, horizon!);
    }
    const users = [...changed].sort();
    const trims = await knownTrims(this.db);
    for (let i = 0; i < users.length; i += MAX_FEED_USERS) {
      const batch = users.slice(i, i + MAX_FEED_USERS);
      const [people, ...perSource] = await Promise.all([this.factsOf(facts, batch), ...contributors.map((s) => this.eventsOf(s, batch))]);
      await this.learnTrims(trims, people);
      await replaceUsers(this.db, batch, people, contributors.map((source, k) => ({ source, events: perSource[k] })), trims);
    }
    await saveRound(this.db, horizons, startedAt);
    return { asOf: startedAt, users: users.length, sources: contributors };
  }

  private async eventsOf(source: string, userIds: string[]): Promise<LifecycleFeedEvent[]> {
    const field = feedFieldsOf(source).eventsOf;
    const answer: Record<string, WireFeedEvent[]> = await this.call(
      source,
      `query($u:[ID!]!){ ${field}(userIds:$u){ id userId vin orderId occurredAt stage kind amount category subjectType subjectId } }`,
      { u: userIds },
    );
    return answer[field].map((e) => ({ ...e, occurredAt: new Date(e.occurredAt), amount: e.amount === null ? null : wireFen(e.amount) }));
  }

  private async factsOf(source: string, userIds: string[]): Promise<UserFacts[]> {
    const field = `${source}AnalystFactsOf`;
    const answer: Record<string, UserFacts[]> = await this.call(
      source,
      `query($u:[ID!]!){ ${field}(userIds:$u){ userId city orders { id trimId colourId packageId batteryRental status total placedAt vin deliveredAt } } }`,
      { u: userIds },
    );
    return answer[field];
  }

  /** Asks the catalog about trims the store has not seen (a handful: trims are few). */
  private async learnTrims(trims: Map<string, TrimFacts>, people: UserFacts[]): Promise<void> {
    const unknown = [...new Set(people.flatMap((p) => p.orders.map((o) => o.trimId)))].filter((t) => !trims.has(t));
    for (const t of unknown) {
      const { trim } = await this.call<{ trim: { id: string; model: { id: string }; batteryOption: 'OWNED' | 'RENTAL'; rangeKm: number } | null }>('catalog', TRIM_QUERY, { t });
      const facts: TrimFacts = trim ? { trimId: t, modelId: trim.model.id, batteryOption: trim.batteryOption, rangeKm: trim.rangeKm } : { trimId: t, modelId: 'unknown', batteryOption: 'OWNED', rangeKm: null };
      await this.db.query(
        `INSERT INTO analytics.trims (trim_id, model_id, battery_option, range_km) VALUES ($1, $2, $3, $4)
         ON CONFLICT (trim_id) DO UPDATE SET model_id = excluded.model_id, battery_option = excluded.battery_option, range_km = excluded.range_km`,
        [facts.trimId, facts.modelId, facts.batteryOption, facts.rangeKm],
      );
      trims.set(t, facts);
    }
  }
}

/**
 * Refreshes every `intervalSeconds` (the first round at once: the initial load), logging a failed
 * round and trying again at the next tick.
 */
export function refreshPeriodically(ingester: AnalyticsIngester, intervalSeconds: number): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    if (stopped) return;
    try {
      await ingester.refresh();
    } catch (err) {
      logger.warn({ err: String(err) }, 'analytics refresh failed; trying again at the next interval');
    }
    if (!stopped) timer = setTimeout(() => void tick(), intervalSeconds * 1000);
  };
  timer = setTimeout(() => void tick(), 0);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await ingester.idle();
    },
  };
}
