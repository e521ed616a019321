/** The per-process store keeps to both of its bounds, entries and bytes, dropping the oldest written first. */
import { memoryCacheStore } from './store';

const entry = (key: string, size: number) => ({ key, value: 'x'.repeat(size), ttlSeconds: 60, tags: ['type:Trim'] });

test('the per-process store drops the oldest entries once keys and values pass its byte bound', async () => {
  const store = memoryCacheStore(1000, 1000);
  await store.setMany([entry('a', 400), entry('b', 400)]);
  expect(await store.getMany(['a', 'b'])).toEqual(['x'.repeat(400), 'x'.repeat(400)]);
  await store.setMany([entry('c', 400)]); // 3 × 401 > 1000: the oldest goes
  expect((await store.getMany(['a', 'b', 'c'])).map((v) => v?.length)).toEqual([undefined, 400, 400]);
});

test('the per-process store never keeps one entry larger than its whole byte bound, and keeps the others', async () => {
  const store = memoryCacheStore(1000, 1000);
  await store.setMany([entry('a', 100), entry('huge', 5000)]);
  expect((await store.getMany(['a', 'huge'])).map((v) => v?.length)).toEqual([100, undefined]);
});

test('the per-process store frees the bytes of replaced and removed entries', async () => {
  const store = memoryCacheStore(1000, 1000);
  for (let i = 0; i < 50; i++) await store.setMany([entry('same', 600)]);
  await store.setMany([entry('other', 300)]);
  expect((await store.getMany(['same', 'other'])).map((v) => v?.length)).toEqual([600, 300]);
  expect(await store.removeTagged(['type:Trim'])).toBe(2);
  await store.setMany([entry('next', 900)]);
  expect((await store.getMany(['next'])).map((v) => v?.length)).toEqual([900]);
});

test('the per-process store keeps to its entry bound', async () => {
  const store = memoryCacheStore(2, 1_000_000);
  await store.setMany([entry('a', 1), entry('b', 1), entry('c', 1)]);
  expect((await store.getMany(['a', 'b', 'c'])).map((v) => v?.length)).toEqual([undefined, 1, 1]);
});
