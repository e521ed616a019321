/** The response cache's settings: defaults, and each bad value a problem naming its variable. */
import { readResponseCacheSettings } from './response-cache';

const NEAR = { enabled: true, maxEntries: 10_000, maxMegabytes: 16 };

test('RESPONSE_CACHE, RESPONSE_CACHE_MAX_ENTRIES and RESPONSE_CACHE_MAX_MB are read with their defaults', () => {
  expect(readResponseCacheSettings({}, 'production', [])).toEqual({ enabled: true, development: false, maxEntries: 50_000, maxMegabytes: 32, near: NEAR });
  expect(readResponseCacheSettings({ RESPONSE_CACHE: 'false', RESPONSE_CACHE_MAX_MB: '8' }, 'development', [])).toEqual({ enabled: false, development: true, maxEntries: 50_000, maxMegabytes: 8, near: NEAR });
});

test('the near cache is on by default and RESPONSE_CACHE_NEAR, _NEAR_MAX_ENTRIES and _NEAR_MAX_MB set it', () => {
  const problems: string[] = [];
  const near = readResponseCacheSettings({ RESPONSE_CACHE_NEAR: 'false', RESPONSE_CACHE_NEAR_MAX_ENTRIES: '500', RESPONSE_CACHE_NEAR_MAX_MB: '4' }, 'production', problems).near;
  expect({ near, problems }).toEqual({ near: { enabled: false, maxEntries: 500, maxMegabytes: 4 }, problems: [] });
});

test('bad near cache settings are problems naming the variable', () => {
  for (const [name, bad] of [['RESPONSE_CACHE_NEAR', 'yes'], ['RESPONSE_CACHE_NEAR_MAX_ENTRIES', '5'], ['RESPONSE_CACHE_NEAR_MAX_ENTRIES', 'many'], ['RESPONSE_CACHE_NEAR_MAX_MB', '0'], ['RESPONSE_CACHE_NEAR_MAX_MB', '10001']]) {
    const problems: string[] = [];
    readResponseCacheSettings({ [name]: bad }, 'production', problems);
    expect(problems).toEqual([expect.stringContaining(`${name}="${bad}"`)]);
  }
});

test('bad response cache bounds are problems naming the variable', () => {
  for (const bad of ['0', '-1', 'lots', '1.5', '100001']) {
    const problems: string[] = [];
    readResponseCacheSettings({ RESPONSE_CACHE_MAX_MB: bad }, 'production', problems);
    expect(problems).toEqual([expect.stringContaining(`RESPONSE_CACHE_MAX_MB="${bad}"`)]);
  }
});
