/**
 * The soak run's traffic: a steady mix of headline reads (seeded users' spending) and purchase-flow
 * mutations (soak users placing orders and paying deposit and balance), sent round-robin to the gateway
 * replicas at a target rate, every answer counted against the phase it was sent in.
 *
 * The purchase flow keeps a ledger of what it was told: a mutation that got a success answer is
 * *acknowledged* (it must be in the database exactly once at the end); one that got an error, a timeout or a
 * broken connection has an *unknown* outcome (it may or may not have happened) and the user's next step
 * retries it — `placeOrder` with the same idempotency key (a replay returns the same order), a payment again
 * (CONFLICT then means the unknown attempt had landed).
 */
import { randomUUID } from 'node:crypto';
import { mintToken } from '../../gateway/auth';
import { parseDecimalToFen } from '../../platform/money';
import { BENCH_JWT } from '../bench/stack';

/** What happened to one request: `ok`, or the kind of failure (HTTP status, GraphQL code, timeout, network). */
export type Outcome = 'ok' | string;

export interface PhaseStats {
  name: string;
  startedAt: number;
  endedAt?: number;
  requests: number;
  ok: number;
  failures: Map<string, number>;
  latenciesMs: number[];
}

export type MutationKind = 'placeOrder' | 'payDeposit' | 'payBalance';

/** A mutation the graph answered with success. */
export interface Acknowledged {
  kind: MutationKind;
  userId: string;
  orderId: string;
  idempotencyKey?: string;
  /** The money it moved (payments), in fen. */
  fen: bigint;
}

export const HEADLINE = `query SoakHeadline { me { id spending { total { amount } byCategory { category total { amount } } lines(first: 5) { edges { node { amount { amount } } } } } } }`;
const ORDER = `id status deposit { amount } balanceDue { amount }`;
const PLACE = `mutation SoakPlace($input: PlaceOrderInput!) { placeOrder(input: $input) { ${ORDER} } }`;
const DEPOSIT = `mutation SoakDeposit($id: ID!, $amount: Decimal!) { payDeposit(orderId: $id, amount: $amount) { ${ORDER} } }`;
const BALANCE = `mutation SoakBalance($id: ID!, $amount: Decimal!) { payBalance(orderId: $id, amount: $amount) { ${ORDER} } }`;

interface Answer {
  outcome: Outcome;
  data?: any;
  message?: string;
}

/** One soak user's place in the purchase flow. */
interface Buyer {
  userId: string;
  busy: boolean;
  step: 'place' | 'deposit' | 'balance';
  key: string;
  /** The last attempt at this step got no success answer: it may have been applied. */
  uncertain: boolean;
  order?: { id: string; depositFen: bigint; deposit: string; balanceFen: bigint; balance: string };
}

export class Traffic {
  readonly phases: PhaseStats[] = [];
  readonly acknowledged: Acknowledged[] = [];
  /** Mutations whose outcome is unknown (error, timeout), by kind. */
  readonly unknown = new Map<MutationKind, number>();
  /** Unknown payments that a retry found already applied (CONFLICT). */
  landedUnknown = 0;
  /** The first message seen for each kind of failure, to say what it was. */
  readonly samples = new Map<string, string>();
  /** CONFLICT answers to a payment never tried before: the graph refused a first attempt (a bug). */
  unexpectedConflicts = 0;
  private readonly tokens = new Map<string, { token: string; at: number }>();
  private readonly buyers: Buyer[];
  private inFlight = 0;
  private sent = 0;
  private timer?: NodeJS.Timeout;
  private idle?: () => void;

  constructor(
    private readonly opts: { gateways: string[]; readers: string[]; buyers: string[]; rate: number; trimId: string; mutationShare: number; timeoutMs: number },
  ) {
    this.buyers = opts.buyers.map((userId) => ({ userId, busy: false, step: 'place', key: randomUUID(), uncertain: false }));
  }

  /** The users whose money the run moved. */
  buyerIds(): string[] {
    return this.buyers.map((b) => b.userId);
  }

  /** Ends the current phase (if any) and counts what is sent from now on against `name`. */
  phase(name: string): void {
    const now = Date.now();
    const current = this.phases.at(-1);
    if (current) current.endedAt = now;
    this.phases.push({ name, startedAt: now, requests: 0, ok: 0, failures: new Map(), latenciesMs: [] });
  }

  start(): void {
    const interval = Math.max(1, Math.round(1000 / this.opts.rate));
    this.timer = setInterval(() => this.tick(), interval);
  }

  /** Stops sending and waits for every answer still on its way. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    if (this.inFlight > 0) await new Promise<void>((ok) => (this.idle = ok));
    const current = this.phases.at(-1);
    if (current) current.endedAt = Date.now();
  }

  private tick(): void {
    // An open loop, bounded: when the graph is slow, requests pile up to a cap instead of without end.
    if (this.inFlight >= this.opts.rate * 4) return this.count(this.phases.at(-1)!, 'skipped (client at its in-flight cap)', 0);
    const n = this.sent++;
    const buyer = Math.random() < this.opts.mutationShare ? this.buyers.find((b) => !b.busy) : undefined;
    this.track(buyer ? this.advance(buyer, n) : this.read(n));
  }

  private async track(work: Promise<void>): Promise<void> {
    this.inFlight++;
    try {
      await work;
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) this.idle?.();
    }
  }

  private count(phase: PhaseStats, outcome: Outcome, ms: number): void {
    phase.requests++;
    if (outcome === 'ok') {
      phase.ok++;
      phase.latenciesMs.push(ms);
    } else {
      phase.failures.set(outcome, (phase.failures.get(outcome) ?? 0) + 1);
    }
  }

  /** A customer token for `userId`, minted again every 20 minutes (the gateway accepts at most an hour's lifetime). */
  private async token(userId: string): Promise<string> {
    const t = this.tokens.get(userId);
    if (t && Date.now() - t.at < 20 * 60_000) return t.token;
    const token = await mintToken(BENCH_JWT, { sub: userId, role: 'customer' }, 1800);
    this.tokens.set(userId, { token, at: Date.now() });
    return token;
  }

  /** Sends one operation to the n-th gateway (round-robin) and classifies the answer. */
  async send(n: number, userId: string, query: string, variables?: object): Promise<Answer> {
    const phase = this.phases.at(-1)!;
    const started = performance.now();
    let answer: Answer;
    try {
      const res = await fetch(this.opts.gateways[n % this.opts.gateways.length], {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await this.token(userId)}` },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      const body = (await res.json().catch(() => ({}))) as { data?: any; errors?: Array<{ message?: string; extensions?: { code?: string } }> };
      if (body.errors?.length) answer = { outcome: body.errors[0].extensions?.code ?? `HTTP ${res.status}`, message: body.errors[0].message };
      else if (!res.ok) answer = { outcome: `HTTP ${res.status}` };
      else answer = { outcome: 'ok', data: body.data };
    } catch (err) {
      const name = (err as Error).name;
      answer = { outcome: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'connection failed', message: (err as Error).message };
    }
    if (answer.outcome !== 'ok' && !this.samples.has(answer.outcome)) this.samples.set(answer.outcome, (answer.message ?? '').slice(0, 200));
    this.count(phase, answer.outcome, performance.now() - started);
    return answer;
  }

  private async read(n: number): Promise<void> {
    await this.send(n, this.opts.readers[n % this.opts.readers.length], HEADLINE);
  }

  private async advance(b: Buyer, n: number): Promise<void> {
    b.busy = true;
    try {
      if (b.step === 'place') {
        const a = await this.send(n, b.userId, PLACE, { input: { trimId: this.opts.trimId, idempotencyKey: b.key } });
        if (a.outcome !== 'ok') return this.unknownOutcome(b, 'placeOrder');
        const o = a.data.placeOrder;
        b.order = { id: o.id, deposit: o.deposit.amount, depositFen: parseDecimalToFen(o.deposit.amount), balance: o.balanceDue.amount, balanceFen: parseDecimalToFen(o.balanceDue.amount) };
        this.acknowledged.push({ kind: 'placeOrder', userId: b.userId, orderId: o.id, idempotencyKey: b.key, fen: 0n });
        b.step = 'deposit';
        b.uncertain = false;
      } else {
        const order = b.order!;
        const deposit = b.step === 'deposit';
        const kind: MutationKind = deposit ? 'payDeposit' : 'payBalance';
        const a = await this.send(n, b.userId, deposit ? DEPOSIT : BALANCE, { id: order.id, amount: deposit ? order.deposit : order.balance });
        if (a.outcome === 'CONFLICT') {
          if (b.uncertain) this.landedUnknown++; // an earlier attempt whose answer was lost had been applied
          else this.unexpectedConflicts++;
        } else if (a.outcome !== 'ok') {
          return this.unknownOutcome(b, kind);
        } else {
          this.acknowledged.push({ kind, userId: b.userId, orderId: order.id, fen: deposit ? order.depositFen : order.balanceFen });
        }
        b.uncertain = false;
        if (deposit) b.step = 'balance';
        else Object.assign(b, { step: 'place', key: randomUUID(), order: undefined });
      }
    } finally {
      b.busy = false;
    }
  }

  private unknownOutcome(b: Buyer, kind: MutationKind): void {
    b.uncertain = true;
    this.unknown.set(kind, (this.unknown.get(kind) ?? 0) + 1);
  }
}

/** The p-th percentile (0–100) of `values`, in ms; NaN when there are none. */
export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
