/**
 * `Db.listen` on both implementations: a `pg_notify` committed in a transaction reaches the listener (a
 * rolled-back one does not), a bad channel name is refused, and on PostgreSQL a listening connection that
 * drops (terminated by the server) is re-established, told through `onReconnect`, and hears again.
 */
import { openTestDb } from '../testing/harness';
import { DbUsageError, type Db } from './db';

async function until(done: () => boolean, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('the condition did not hold in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(['postgres', 'pglite'] as const)('listen on %s', (kind) => {
  let db: Db;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    if (kind === 'postgres' && !process.env.DATABASE_URL) throw new Error('set DATABASE_URL (npm test does)');
    ({ db, drop } = await openTestDb(kind === 'postgres' ? 'auto' : 'pglite'));
  });
  afterAll(async () => drop());

  test('a notify committed in a transaction arrives; a rolled-back one does not', async () => {
    const heard: string[] = [];
    const stop = await db.listen('autograph_test_channel', (p) => heard.push(p));
    await db.tx(async (q) => void (await q.query(`SELECT pg_notify('autograph_test_channel', $1)`, ['committed'])));
    await db.tx(async (q) => {
      await q.query(`SELECT pg_notify('autograph_test_channel', $1)`, ['rolled back']);
      throw new Error('undo');
    }).catch(() => undefined);
    await until(() => heard.length >= 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(heard).toEqual(['committed']);
    await stop();
    await db.query(`SELECT pg_notify('autograph_test_channel', 'after stop')`);
    await new Promise((r) => setTimeout(r, 200));
    expect(heard).toEqual(['committed']);
  });

  test('the listener may query the database (it is not called inside the notifying transaction)', async () => {
    const answers: unknown[] = [];
    const stop = await db.listen('autograph_test_query', () => {
      db.query<{ n: number }>('SELECT 1 AS n').then((rows) => answers.push(rows[0].n), (err: Error) => answers.push(err.message));
    });
    await db.tx(async (q) => void (await q.query(`SELECT pg_notify('autograph_test_query', 'x')`)));
    await until(() => answers.length === 1);
    expect(answers).toEqual([1]);
    await stop();
  });

  test('a channel name that is not a plain identifier is refused', async () => {
    await expect(db.listen('x; DROP TABLE y', () => undefined)).rejects.toThrow(DbUsageError);
  });

  (kind === 'postgres' ? test : test.skip)('a dropped listening connection is re-established and hears again', async () => {
    const heard: string[] = [];
    let reconnects = 0;
    const stop = await db.listen('autograph_test_drop', (p) => heard.push(p), () => reconnects++);
    const killed = await db.query<{ ok: boolean }>(`SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN autograph_test_drop'`);
    expect(killed).toEqual([{ ok: true }]);
    await until(() => reconnects === 1);
    await db.query(`SELECT pg_notify('autograph_test_drop', 'again')`);
    await until(() => heard.length === 1);
    expect(heard).toEqual(['again']);
    await stop();
  }, 30_000);
});
