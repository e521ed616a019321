/** The breaker's state machine, stepped through time with a clock of the test's own. */
import { CircuitBreaker, type BreakerState } from './circuit-breaker';

function breaker() {
  let t = 1_000_000;
  const changes: BreakerState[] = [];
  const b = new CircuitBreaker({ minRequests: 4, failureRatio: 0.5, resetMs: 5_000, windowMs: 10_000, buckets: 10, now: () => t, onChange: (s) => changes.push(s) });
  const call = (failed: boolean) => {
    const a = b.admit();
    if (a.go) b.settle(a, failed);
    return a;
  };
  return { b, call, changes, advance: (ms: number) => (t += ms) };
}

test('it stays closed below the minimum number of calls, however many of them failed', () => {
  const { b, call } = breaker();
  for (let i = 0; i < 3; i++) call(true);
  expect(b.current()).toBe('closed');
  call(true);
  expect(b.current()).toBe('open');
});

test('it opens at the failure ratio over the window, not below it', () => {
  const { b, call } = breaker();
  for (const failed of [false, false, false, true, true]) call(failed); // 2 of 5
  expect(b.current()).toBe('closed');
  call(true); // 3 of 6
  expect(b.current()).toBe('open');
});

test('failures older than the window are forgotten', () => {
  const { b, call, advance } = breaker();
  for (let i = 0; i < 3; i++) call(true);
  advance(11_000);
  for (let i = 0; i < 3; i++) call(false);
  call(true); // 1 of 4 in the window
  expect(b.current()).toBe('closed');
});

test('open: calls are refused with the time left; after the reset time one trial goes, and its success closes it', () => {
  const { b, call, advance, changes } = breaker();
  for (let i = 0; i < 4; i++) call(true);
  advance(2_000);
  expect(b.admit()).toEqual({ go: false, retryInMs: 3_000 });
  advance(3_000);
  expect(b.current()).toBe('half-open');
  const trial = b.admit();
  expect(trial).toEqual({ go: true, trial: true });
  expect(b.admit()).toMatchObject({ go: false }); // one trial at a time
  b.settle(trial as { trial: boolean }, false);
  expect(b.current()).toBe('closed');
  expect(changes).toEqual(['open', 'half-open', 'closed']);
  call(true); // the old failures are gone with the close: one failure does not reopen it
  expect(b.current()).toBe('closed');
});

test('a failed trial opens it again for a whole reset time', () => {
  const { b, call, advance } = breaker();
  for (let i = 0; i < 4; i++) call(true);
  advance(5_000);
  call(true);
  expect(b.current()).toBe('open');
  advance(4_999);
  expect(b.current()).toBe('open');
  advance(1);
  expect(b.current()).toBe('half-open');
});
