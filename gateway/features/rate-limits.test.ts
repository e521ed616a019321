import { costToPoints, readRateLimitSettings } from './rate-limits';
import { DEFAULT_RATE_LIMITS } from '../rate-limit-policy';
import { loadConfig } from '../config';

test('the cost-to-points rule spends one point per request and one more per costPerPoint of cost', () => {
  expect(costToPoints(0, 100)).toBe(1);
  expect(costToPoints(99, 100)).toBe(1);
  expect(costToPoints(100, 100)).toBe(2);
  expect(costToPoints(1050, 100)).toBe(11);
  expect(costToPoints(Number.NaN, 100)).toBe(1);
  expect(costToPoints(500, 0)).toBe(1);
});

test('RATE_LIMITS and TRUST_PROXY are read, and bad values are problems naming the variable', () => {
  expect(readRateLimitSettings({}, [])).toEqual({ rateLimits: DEFAULT_RATE_LIMITS, trustProxy: 0, rateLimitCostPerPoint: 100 });
  const problems: string[] = [];
  const settings = readRateLimitSettings({ RATE_LIMITS: 'customer=5/1s', TRUST_PROXY: 'yes' }, problems);
  expect(settings.rateLimits?.customer).toEqual({ points: 5, windowSeconds: 1 });
  expect(problems).toEqual(['TRUST_PROXY="yes" must be a whole number from 0 to 10']);
  const more: string[] = [];
  readRateLimitSettings({ RATE_LIMITS: 'customer=5', TRUST_PROXY: '11', RATE_LIMIT_COST_PER_POINT: '-3' }, more);
  expect(more).toEqual(['RATE_LIMITS: "customer=5" is not role=points/window (e.g. customer=300/60s; window in s, m or h)', 'TRUST_PROXY="11" must be a whole number from 0 to 10', 'RATE_LIMIT_COST_PER_POINT="-3" must be a whole number from 0 to 1000000']);
});

test('the configuration reads RATE_LIMITS and TRUST_PROXY, and refuses to start on bad ones, naming them', () => {
  const config = loadConfig({ RATE_LIMITS: 'customer=30/1m', TRUST_PROXY: '2' });
  expect(config.rateLimits).toEqual({ ...DEFAULT_RATE_LIMITS, customer: { points: 30, windowSeconds: 60 } });
  expect(config.trustProxy).toBe(2);
  expect(() => loadConfig({ RATE_LIMITS: 'customer=30/1w', TRUST_PROXY: '-1' })).toThrow(/RATE_LIMITS: "customer=30\/1w" is not role=points\/window[\s\S]*TRUST_PROXY="-1" must be a whole number from 0 to 10/);
});
