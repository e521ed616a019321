/**
 * The migration runner (postgrator over our Db) behaves the same on real PostgreSQL and on the embedded
 * PGlite: files apply once, in order, all or nothing, also when two runs race; an applied file edited
 * since is refused by name; a badly named file is refused rather than skipped; a schema migrated by the
 * earlier hand-written runner is adopted without running anything again.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTestDb } from '../testing/harness';
import { asEarlierNames, earlierRunner } from '../testing/earlier-migrations';
import type { Db } from './db';
import { MigrationError, migrateSchema, schemaStatus, type MigrationSet } from './migrations';

/** A fresh folder of migration files. */
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'autograph-mig-'));
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
  return dir;
}

let schemas = 0;
/** A schema name no other test of this file uses. */
const freshSchema = () => `migtest_${++schemas}`;

describe.each(['postgres', 'pglite'] as const)('migrations on %s', (kind) => {
  let db: Db;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    if (kind === 'postgres' && !process.env.DATABASE_URL) throw new Error('set DATABASE_URL (npm test does)');
    ({ db, drop } = await openTestDb(kind === 'postgres' ? 'auto' : 'pglite'));
  });
  afterAll(async () => drop());

  test('files apply once, in order, even when two runs race; a later run applies only the new file', async () => {
    const schema = freshSchema();
    const dir = folder({
      '001.do.a.sql': `CREATE TABLE ${schema}.a (id int PRIMARY KEY);`,
      '002.do.b.sql': `CREATE TABLE ${schema}.b (id int PRIMARY KEY); INSERT INTO ${schema}.a VALUES (1);`,
    });
    const set = { schema, dir };
    const runs = await Promise.all([migrateSchema(db, set), migrateSchema(db, set)]);
    expect(runs.map((r) => r.applied).flat().sort()).toEqual(['001.do.a.sql', '002.do.b.sql']);
    expect(runs.map((r) => r.version)).toEqual([2, 2]);
    writeFileSync(join(dir, '003.do.c.sql'), `INSERT INTO ${schema}.a VALUES (3);`);
    expect((await migrateSchema(db, set)).applied).toEqual(['003.do.c.sql']);
    expect((await migrateSchema(db, set)).applied).toEqual([]);
    expect(await db.query(`SELECT id FROM ${schema}.a ORDER BY id`)).toEqual([{ id: 1 }, { id: 3 }]);
    const versions = await db.query<{ version: string; name: string }>(`SELECT version::text, name FROM ${schema}.schemaversion WHERE version > 0 ORDER BY version`);
    expect(versions).toEqual([{ version: '1', name: 'a' }, { version: '2', name: 'b' }, { version: '3', name: 'c' }]);
  });

  test('an applied migration edited since is refused, naming the file, by a run and by a status check', async () => {
    const schema = freshSchema();
    const dir = folder({ '001.do.a.sql': `CREATE TABLE ${schema}.a (id int PRIMARY KEY);`, '002.do.b.sql': `CREATE TABLE ${schema}.b (id int);` });
    await migrateSchema(db, { schema, dir });
    writeFileSync(join(dir, '002.do.b.sql'), `CREATE TABLE ${schema}.b (id int, extra text);`);
    writeFileSync(join(dir, '003.do.c.sql'), `CREATE TABLE ${schema}.c (id int);`);
    const edited = /002\.do\.b\.sql was edited after it was applied to the migtest_\d+ schema/;
    await expect(migrateSchema(db, { schema, dir })).rejects.toThrow(edited);
    await expect(migrateSchema(db, { schema, dir })).rejects.toThrow(MigrationError);
    await expect(schemaStatus(db, { schema, dir })).rejects.toThrow(edited);
    // Refused before anything ran: the new file is not applied either.
    expect(await db.query(`SELECT to_regclass('${schema}.c') AS c`)).toEqual([{ c: null }]);
  });

  test('a failing file keeps nothing of the run and is named; fixed, the run applies it', async () => {
    const schema = freshSchema();
    const dir = folder({ '001.do.a.sql': `CREATE TABLE ${schema}.a (id int PRIMARY KEY);`, '002.do.b.sql': `INSERT INTO ${schema}.nowhere VALUES (1);` });
    await expect(migrateSchema(db, { schema, dir })).rejects.toThrow(/002\.do\.b\.sql failed on the migtest_\d+ schema/);
    expect(await db.query(`SELECT to_regclass('${schema}.a') AS a`)).toEqual([{ a: null }]);
    writeFileSync(join(dir, '002.do.b.sql'), `INSERT INTO ${schema}.a VALUES (2);`);
    expect((await migrateSchema(db, { schema, dir })).applied).toEqual(['001.do.a.sql', '002.do.b.sql']);
  });

  test('a file not named NNN.do.name.sql is refused by name, not skipped', async () => {
    const schema = freshSchema();
    const dir = folder({ '001.do.a.sql': `CREATE TABLE ${schema}.a (id int);`, '002_b.sql': `CREATE TABLE ${schema}.b (id int);` });
    await expect(migrateSchema(db, { schema, dir })).rejects.toThrow(/002_b\.sql is not named NNN\.do\.name\.sql/);
    const twice = folder({ '001.do.a.sql': 'SELECT 1;', '001.do.b.sql': 'SELECT 1;' });
    await expect(migrateSchema(db, { schema, dir: twice })).rejects.toThrow(/001\.do\.a\.sql and 001\.do\.b\.sql have the same version 1/);
  });

  test('status says what is pending, then nothing; a schema ahead of the files says its version', async () => {
    const schema = freshSchema();
    const dir = folder({ '001.do.a.sql': `CREATE TABLE ${schema}.a (id int);`, '002.do.b.sql': `CREATE TABLE ${schema}.b (id int);` });
    expect(await schemaStatus(db, { schema, dir })).toEqual({ schema, version: 0, latest: 2, pending: ['001.do.a.sql', '002.do.b.sql'], toAdopt: [] });
    // The status check creates nothing.
    expect(await db.query(`SELECT to_regnamespace('${schema}') AS s`)).toEqual([{ s: null }]);
    await migrateSchema(db, { schema, dir });
    expect(await schemaStatus(db, { schema, dir })).toEqual({ schema, version: 2, latest: 2, pending: [], toAdopt: [] });
    const older = folder({ '001.do.a.sql': readFileSync(join(dir, '001.do.a.sql'), 'utf8') });
    expect(await schemaStatus(db, { schema, dir: older })).toMatchObject({ version: 2, latest: 1, pending: [] });
    expect(await migrateSchema(db, { schema, dir: older })).toMatchObject({ applied: [], version: 2, latest: 1 });
  });

  test("a schema the earlier runner migrated is adopted: its files are recorded with their checksums, none runs again, only the new one", async () => {
    const schema = freshSchema();
    const dir = folder({
      '001.do.a.sql': `CREATE TABLE ${schema}.a (id int PRIMARY KEY);`,
      '002.do.b.sql': `INSERT INTO ${schema}.a VALUES (2);`,
    });
    await earlierRunner(db, schema, asEarlierNames(dir));
    writeFileSync(join(dir, '003.do.c.sql'), `INSERT INTO ${schema}.a VALUES (3);`);
    expect(await schemaStatus(db, { schema, dir })).toEqual({ schema, version: 0, latest: 3, pending: ['003.do.c.sql'], toAdopt: ['001.do.a.sql', '002.do.b.sql'] });
    const run = await migrateSchema(db, { schema, dir });
    expect(run).toMatchObject({ adopted: ['001.do.a.sql', '002.do.b.sql'], applied: ['003.do.c.sql'], version: 3 });
    // 002 inserting again would have failed on the primary key; the row is there once.
    expect(await db.query(`SELECT id FROM ${schema}.a ORDER BY id`)).toEqual([{ id: 2 }, { id: 3 }]);
    expect((await migrateSchema(db, { schema, dir })).adopted).toEqual([]);
    // The adopted files' checksums are recorded: editing one is refused like any applied file.
    writeFileSync(join(dir, '001.do.a.sql'), `CREATE TABLE ${schema}.a (id bigint PRIMARY KEY);`);
    await expect(migrateSchema(db, { schema, dir })).rejects.toThrow(/001\.do\.a\.sql was edited/);
  });

  test('a subgraph folder migrated by the earlier runner carries over: same version, nothing re-run', async () => {
    const real: MigrationSet = { schema: 'catalog', dir: join(__dirname, '..', 'subgraphs', 'catalog', 'migrations') };
    await earlierRunner(db, 'catalog', asEarlierNames(real.dir));
    const before = await db.query(`SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'catalog'`);
    const run = await migrateSchema(db, real);
    expect(run.applied).toEqual([]);
    expect(run.adopted).toEqual(readdirSync(real.dir).sort());
    expect(run.version).toBe(run.latest);
    expect(await db.query(`SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'catalog'`)).toEqual(
      // postgrator's version table (and its primary key index) is all that is new
      [{ n: (before[0] as { n: number }).n + 2 }],
    );
    expect(await schemaStatus(db, real)).toMatchObject({ pending: [], toAdopt: [] });
  });
});
