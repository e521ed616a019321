/**
 * Deterministic demo data. The seed runs subgraph by subgraph, each stage after the ones its manifest
 * names (`seed.after`); each stage writes only its own subgraph's tables and hands the next stages what
 * they need to know (ids, prices, owners) as facts published on the `SeedWorld`.
 */
import type { Db, Queryable } from '../../platform/db';
import { DEMO_USER, demoUserIds } from '../../platform/demo';
import { BulkWriter } from './bulk-writer';

export { DEMO_USER };

/** A small, fast, deterministic PRNG (mulberry32). */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/**
 * A fact one seed stage hands to the stages after it (the orders a stage wrote, the prices it set), named
 * by the stage that publishes it. The publishing folder declares the fact with its full type; a folder
 * that reads it declares the same fact locally with the shape it reads (structurally, as a subgraph
 * declares another's entity), so no folder imports another and the kit names none of them.
 */
export interface SeedFact<T> {
  /** `<stage>.<name>`, e.g. `orders.vehicles`. */
  readonly key: string;
  /** The stage that publishes it: a stage that reads it lists that stage in its `seed.after`. */
  readonly stage: string;
  /** Never set: carries the fact's type to `publish` and `read`. */
  readonly type?: T;
}

/** Declares the fact `name` published by the seed stage of the subgraph `stage`. */
export function seedFact<T>(stage: string, name: string): SeedFact<T> {
  return { key: `${stage}.${name}`, stage };
}

/**
 * Where a long seed reports how far it is (the CLI draws a progress bar from it). A stage's writer
 * announces the stage and what it goes through; `update` carries the counts so far.
 */
export interface SeedProgress {
  /** A stage begins: it goes through `units` things (users, orders, vehicles), named by `unit`. */
  stage(name: string, units: number, unit: string): void;
  /** How far the current stage is: units done, rows written. */
  update(unitsDone: number, rowsWritten: number): void;
}

/** What a stage's writer is for: the stage, and how many units of work it will `tick()` through. */
export interface SeedWriterJob {
  stage: string;
  units: number;
  unit: string;
}

/**
 * What the seed stages share: the random stream, the seeded users, the seed's clock, and the facts
 * each stage has published for the stages after it (a blackboard keyed by `SeedFact`).
 */
export class SeedWorld {
  readonly rng: Rng;
  /** Every seeded user id; `DEMO_USER` first. */
  readonly users: readonly string[];
  /** "Today" for the seed: all generated activity happens before it. */
  readonly now: Date;
  /** Rows per table buffer and per INSERT of the stages' writers (the data does not depend on it). */
  readonly batchRows: number | undefined;
  /** Whether the writers bypass the per-row triggers the seed stands in for (the default) or let them fire. */
  readonly triggers: 'bypass' | 'fire';
  private readonly progress: SeedProgress | undefined;
  private written = 0;
  private readonly facts = new Map<string, unknown>();

  constructor(init: { rng: Rng; users: readonly string[]; now?: Date; batchRows?: number; triggers?: 'bypass' | 'fire'; progress?: SeedProgress }) {
    this.rng = init.rng;
    this.users = init.users;
    this.now = init.now ?? SEED_NOW;
    this.batchRows = init.batchRows;
    this.triggers = init.triggers ?? 'bypass';
    this.progress = init.progress;
  }

  /**
   * The kit's streaming writer for one stage's transaction `q`, reporting to the seed's progress:
   * declare tables parents first, `add` rows, `tick()` after each of `job.units`, `finish()` at the end.
   */
  writer(q: Queryable, job: SeedWriterJob): BulkWriter {
    const progress = this.progress;
    progress?.stage(job.stage, job.units, job.unit);
    let counted = 0;
    return new BulkWriter(q, {
      batchRows: this.batchRows,
      triggers: this.triggers,
      onProgress: (p) => {
        this.written += p.rows - counted;
        counted = p.rows;
        progress?.update(p.units, p.rows);
      },
    });
  }

  /** Rows the stages' writers have written so far. */
  get rowsWritten(): number {
    return this.written;
  }

  /** Hands `value` to the stages after this one. Each fact is published once. */
  publish<T>(fact: SeedFact<T>, value: T): void {
    if (this.facts.has(fact.key)) throw new Error(`the seed fact ${fact.key} is already published: the ${fact.stage} stage publishes it once per seed`);
    this.facts.set(fact.key, value);
  }

  /** A fact an earlier stage published; a clear error naming that stage when it has not run. */
  read<T>(fact: SeedFact<T>): T {
    if (!this.facts.has(fact.key)) {
      throw new Error(
        `the seed fact ${fact.key} has not been published: the ${fact.stage} stage publishes it, so run that stage first ` +
          `(a stage that reads it lists "${fact.stage}" in its seed.after)`,
      );
    }
    return this.facts.get(fact.key) as T;
  }
}

/** A subgraph's seed stage: writes its own tables, may add to the world for later stages. */
export type SeedStage = (db: Db, world: SeedWorld) => Promise<void>;

/** The seed's fixed clock, so a re-seed produces identical data. */
export const SEED_NOW = new Date('2026-11-01T00:00:00.000Z');

/** The seed's user ids (`platform/demo.ts` names them: the gateway's demo tokens are for them only). */
export const seedUsers = (count: number): string[] => demoUserIds(count);

/** The same moment `years` calendar years later (UTC); 29 February falls on 1 March in a common year. */
export function addYears(d: Date, years: number): Date {
  const out = new Date(d.getTime());
  out.setUTCFullYear(out.getUTCFullYear() + years);
  return out;
}

/** Adds `days` (fractional allowed) to a date, truncated to whole milliseconds. */
export function addDays(d: Date, days: number): Date {
  return new Date(Math.round(d.getTime() + days * 86_400_000));
}
