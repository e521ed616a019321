/** The response cache's settings: defaults, and each bad value a problem naming its variable. */
import { readResponseCacheSettings } from './response-cache';

test('RESPONSE_CACHE, RESPONSE_CACHE_MAX_ENTRIES and RESPONSE_CACHE_MAX_MB are read with their defaults', () => {
  expect(readResponseCacheSettings({}, 'production', [])).toEqual({ enabled: true, development: false, maxEntries: 50_000, maxMegabytes: 32 });
  expect(readResponseCacheSettings({ RESPONSE_CACHE: 'false', RESPONSE_CACHE_MAX_MB: '8' }, 'development', [])).toEqual({ enabled: false, development: true, maxEntries: 50_000, maxMegabytes: 8 });
});

test('bad response cache bounds are problems naming the variable', () => {
  for (const bad of ['0', '-1', 'lots', '1.5', '100001']) {
    const problems: string[] = [];
    readResponseCacheSettings({ RESPONSE_CACHE_MAX_MB: bad }, 'production', problems);
    expect(problems).toEqual([expect.stringContaining(`RESPONSE_CACHE_MAX_MB="${bad}"`)]);
  }
});
