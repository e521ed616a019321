/** Who may read `/metrics`, and the bound on client-given label values (pure logic beside it). */
import { boundedLabel, MAX_LABEL_VALUES, metricsAccess, readMetricsToken } from './metrics';

const TOKEN = 'scrape-token-0123456789';

test('without METRICS_TOKEN only a caller on this machine is answered; anyone else is told how to get in', () => {
  for (const local of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) expect(metricsAccess(local, undefined, undefined)).toEqual({ ok: true });
  const remote = metricsAccess('10.0.0.7', `Bearer ${TOKEN}`, undefined);
  expect(remote).toMatchObject({ ok: false, status: 403 });
  expect(remote.ok === false && remote.message).toContain('METRICS_TOKEN');
  expect(metricsAccess(undefined, undefined, undefined)).toMatchObject({ ok: false, status: 403 });
});

test('with METRICS_TOKEN every caller, local ones too, needs exactly that bearer token', () => {
  expect(metricsAccess('10.0.0.7', `Bearer ${TOKEN}`, TOKEN)).toEqual({ ok: true });
  expect(metricsAccess('10.0.0.7', `bearer ${TOKEN}`, TOKEN)).toEqual({ ok: true });
  for (const wrong of [undefined, '', TOKEN, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(1)}`, `Basic ${TOKEN}`, `Bearer  ${TOKEN}`]) {
    expect(metricsAccess('127.0.0.1', wrong, TOKEN)).toMatchObject({ ok: false, status: 401 });
  }
});

test('METRICS_TOKEN: unset or empty means loopback only; a short one or one with spaces is a start-up problem', () => {
  const problems: string[] = [];
  expect(readMetricsToken({}, problems)).toBeUndefined();
  expect(readMetricsToken({ METRICS_TOKEN: '' }, problems)).toBeUndefined();
  expect(readMetricsToken({ METRICS_TOKEN: TOKEN }, problems)).toBe(TOKEN);
  expect(problems).toEqual([]);
  readMetricsToken({ METRICS_TOKEN: 'short' }, problems);
  readMetricsToken({ METRICS_TOKEN: 'has a space in it, long enough' }, problems);
  expect(problems).toHaveLength(2);
  expect(problems[0]).toMatch(/^METRICS_TOKEN must be at least 16 characters/);
});

test('a label keeps the first values it sees up to its bound; later ones, odd ones and absent ones are folded', () => {
  const label = boundedLabel();
  for (let i = 0; i < MAX_LABEL_VALUES; i++) expect(label(`Op${i}`)).toBe(`Op${i}`);
  expect(label('OneTooMany')).toBe('other');
  expect(label('Op7')).toBe('Op7');
  expect(label(undefined)).toBe('none');
  expect(label('')).toBe('none');
  expect(boundedLabel()('has spaces')).toBe('other');
  expect(boundedLabel()('x'.repeat(65))).toBe('other');
  expect(boundedLabel()('quote"brace}')).toBe('other');
});
