/**
 * A circuit breaker for one subgraph: closed (every call goes through, outcomes counted over a rolling
 * window), open (calls refused at once until the reset time has passed), half-open (one trial call; its
 * success closes the breaker, its failure opens it again).
 *
 * Written here rather than taken from opossum: opossum 9, the last release for Node 20, declares
 * `^20 || ^22 || ^24` and so excludes Node 25 and 26, which this project's engines allow, and opossum 10
 * drops Node 20. What is needed is this state machine and a rolling count, with a clock passed in so the
 * tests beside it step through time instead of waiting.
 */

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Calls in the window before the breaker may open at all. */
  minRequests: number;
  /** The share of failed calls in the window (0–1) at which it opens. */
  failureRatio: number;
  /** How long it stays open before letting one call through, in ms. */
  resetMs: number;
  /** The rolling window, in ms, counted in `buckets` slices. */
  windowMs: number;
  buckets: number;
  now?: () => number;
  /** Told of every change of state. */
  onChange?: (state: BreakerState) => void;
}

/** What `admit` says: go (and report the outcome with `settle`), or refused because the breaker is open. */
export type Admission = { go: true; trial: boolean } | { go: false; retryInMs: number };

export class CircuitBreaker {
  private state: BreakerState = 'closed';
  private openedAt = 0;
  private trialInFlight = false;
  /** [slice start, calls, failures] per slice of the window, oldest first. */
  private slices: Array<[number, number, number]> = [];
  private readonly now: () => number;

  constructor(private readonly opts: BreakerOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** The state now (an open breaker past its reset time is half-open). */
  current(): BreakerState {
    if (this.state === 'open' && this.now() - this.openedAt >= this.opts.resetMs) this.become('half-open');
    return this.state;
  }

  /** Whether a call may go now. A half-open breaker lets one trial through at a time. */
  admit(): Admission {
    const state = this.current();
    if (state === 'closed') return { go: true, trial: false };
    if (state === 'half-open' && !this.trialInFlight) {
      this.trialInFlight = true;
      return { go: true, trial: true };
    }
    return { go: false, retryInMs: Math.max(0, this.opts.resetMs - (this.now() - this.openedAt)) };
  }

  /** Reports how an admitted call ended. */
  settle(admission: { trial: boolean }, failed: boolean): void {
    if (admission.trial) {
      this.trialInFlight = false;
      if (failed) this.open();
      else {
        this.slices = [];
        this.become('closed');
      }
      return;
    }
    if (this.state !== 'closed') return; // a call admitted before the breaker opened
    this.count(failed);
    const { calls, failures } = this.totals();
    if (calls >= this.opts.minRequests && failures / calls >= this.opts.failureRatio) this.open();
  }

  private open(): void {
    this.openedAt = this.now();
    this.become('open');
  }

  private become(state: BreakerState): void {
    if (state === this.state) return;
    this.state = state;
    this.opts.onChange?.(state);
  }

  private count(failed: boolean): void {
    const width = this.opts.windowMs / this.opts.buckets;
    const start = Math.floor(this.now() / width) * width;
    const last = this.slices.at(-1);
    if (last && last[0] === start) {
      last[1]++;
      if (failed) last[2]++;
    } else this.slices.push([start, 1, failed ? 1 : 0]);
  }

  private totals(): { calls: number; failures: number } {
    const since = this.now() - this.opts.windowMs;
    this.slices = this.slices.filter(([start]) => start > since);
    return this.slices.reduce((t, [, calls, failures]) => ({ calls: t.calls + calls, failures: t.failures + failures }), { calls: 0, failures: 0 });
  }
}
