import { DEFAULT_RATE_LIMITS, parseRateLimits } from './rate-limit-policy';

test('RATE_LIMITS replaces the roles it names and keeps the defaults of the others', () => {
  const problems: string[] = [];
  const limits = parseRateLimits('customer=300/60s, anonymous=60/1m,partner=10000/1h', 'RATE_LIMITS', problems);
  expect(problems).toEqual([]);
  expect(limits.customer).toEqual({ points: 300, windowSeconds: 60 });
  expect(limits.anonymous).toEqual({ points: 60, windowSeconds: 60 });
  expect(limits.partner).toEqual({ points: 10000, windowSeconds: 3600 });
  expect(limits.admin).toEqual(DEFAULT_RATE_LIMITS.admin);
});

test('every bad entry of RATE_LIMITS is one problem naming the variable, and the role keeps its default', () => {
  const problems: string[] = [];
  const limits = parseRateLimits('customer=300,robot=5/1s,admin=0/60s,analyst=5/2d,partner=5/0s,anonymous=5/1s,anonymous=6/1s,customer=-1/5s', 'RATE_LIMITS', problems);
  expect(problems).toEqual([
    'RATE_LIMITS: "customer=300" is not role=points/window (e.g. customer=300/60s; window in s, m or h)',
    'RATE_LIMITS: "robot" is not a role (one of customer, partner, analyst, admin, anonymous, anonymous-address)',
    'RATE_LIMITS: admin=0/… must allow from 1 to 1000000000 points',
    'RATE_LIMITS: "analyst=5/2d" is not role=points/window (e.g. customer=300/60s; window in s, m or h)',
    'RATE_LIMITS: partner=…/0s must be a window from 1 s to 24 h',
    'RATE_LIMITS: anonymous is given twice',
    'RATE_LIMITS: "customer=-1/5s" is not role=points/window (e.g. customer=300/60s; window in s, m or h)',
  ]);
  expect(limits).toEqual({ ...DEFAULT_RATE_LIMITS, anonymous: { points: 5, windowSeconds: 1 } });
});

test('a window longer than a day and more points than the maximum are refused', () => {
  const problems: string[] = [];
  parseRateLimits('customer=5/25h,admin=1000000001/1s', 'RATE_LIMITS', problems);
  expect(problems).toEqual(['RATE_LIMITS: customer=…/25h must be a window from 1 s to 24 h', 'RATE_LIMITS: admin=1000000001/… must allow from 1 to 1000000000 points']);
});
