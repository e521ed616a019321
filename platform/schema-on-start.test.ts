/**
 * What a server does with its schema at start: migrate (outside production, MIGRATE_ON_START=true, the
 * embedded database) or only check the version, refusing a schema behind the code (naming `npm run
 * migrate`), one the earlier runner left unadopted, and one ahead of the code unless ALLOW_SCHEMA_AHEAD.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTestDb } from '../testing/harness';
import type { Db } from './db';
import { migrateSchema } from './migrations';
import { prepareSchema, readSchemaOnStart, schemaOnStartFor, SchemaVersionError } from './schema-on-start';

const CHECK = { migrate: false, allowAhead: false };

describe('MIGRATE_ON_START and ALLOW_SCHEMA_AHEAD', () => {
  test('servers migrate at start outside production and only check in production; the variables decide', () => {
    expect(readSchemaOnStart({}, false, [])).toEqual({ migrate: true, allowAhead: false });
    expect(readSchemaOnStart({}, true, [])).toEqual({ migrate: false, allowAhead: false });
    expect(readSchemaOnStart({ MIGRATE_ON_START: 'true', ALLOW_SCHEMA_AHEAD: 'true' }, true, [])).toEqual({ migrate: true, allowAhead: true });
    expect(readSchemaOnStart({ MIGRATE_ON_START: 'false' }, false, [])).toEqual({ migrate: false, allowAhead: false });
  });

  test('a bad value is reported, naming the variable and what it accepts', () => {
    const problems: string[] = [];
    readSchemaOnStart({ MIGRATE_ON_START: 'yes', ALLOW_SCHEMA_AHEAD: '1' }, false, problems);
    expect(problems).toEqual(['MIGRATE_ON_START="yes" must be true or false', 'ALLOW_SCHEMA_AHEAD="1" must be true or false']);
  });

  test('the embedded database always migrates itself: no deploy step reaches it first', () => {
    expect(schemaOnStartFor({ kind: 'pglite' }, CHECK)).toEqual({ migrate: true, allowAhead: false });
    expect(schemaOnStartFor({ kind: 'postgres' }, CHECK)).toEqual(CHECK);
  });
});

describe.each(['postgres', 'pglite'] as const)('a server checking its schema on %s', (kind) => {
  let db: Db;
  let drop: () => Promise<void>;
  let n = 0;
  beforeAll(async () => {
    if (kind === 'postgres' && !process.env.DATABASE_URL) throw new Error('set DATABASE_URL (npm test does)');
    ({ db, drop } = await openTestDb(kind === 'postgres' ? 'auto' : 'pglite'));
  });
  afterAll(async () => drop());

  const fresh = () => {
    const schema = `startcheck_${++n}`;
    const dir = mkdtempSync(join(tmpdir(), 'autograph-start-'));
    writeFileSync(join(dir, '001.do.a.sql'), `CREATE TABLE ${schema}.a (id int);`);
    writeFileSync(join(dir, '002.do.b.sql'), `CREATE TABLE ${schema}.b (id int);`);
    return { schema, dir };
  };

  test('refuses a schema behind the code, naming the pending files and `npm run migrate`, and creates nothing', async () => {
    const set = fresh();
    const refusal = prepareSchema(db, set, CHECK);
    await expect(refusal).rejects.toThrow(SchemaVersionError);
    await expect(prepareSchema(db, set, CHECK)).rejects.toThrow(new RegExp(`the ${set.schema} schema is at version 0, and this code needs 2 \\(2 pending: 001.do.a.sql, 002.do.b.sql\\): run \`npm run migrate\``));
    expect(await db.query(`SELECT to_regnamespace('${set.schema}') AS s`)).toEqual([{ s: null }]);
  });

  test('starts on a schema at the latest version; migrating mode migrates it', async () => {
    const set = fresh();
    await prepareSchema(db, set, { migrate: true, allowAhead: false });
    await expect(prepareSchema(db, set, CHECK)).resolves.toBeUndefined();
    writeFileSync(join(set.dir, '003.do.c.sql'), `CREATE TABLE ${set.schema}.c (id int);`);
    await expect(prepareSchema(db, set, CHECK)).rejects.toThrow(/at version 2, and this code needs 3 \(1 pending: 003.do.c.sql\)/);
  });

  test('refuses a schema ahead of the code (a rollback), unless ALLOW_SCHEMA_AHEAD, which warns', async () => {
    const set = fresh();
    writeFileSync(join(set.dir, '003.do.c.sql'), `CREATE TABLE ${set.schema}.c (id int);`);
    await migrateSchema(db, set);
    const older = mkdtempSync(join(tmpdir(), 'autograph-start-old-'));
    writeFileSync(join(older, '001.do.a.sql'), `CREATE TABLE ${set.schema}.a (id int);`);
    writeFileSync(join(older, '002.do.b.sql'), `CREATE TABLE ${set.schema}.b (id int);`);
    const olderCode = { schema: set.schema, dir: older };
    await expect(prepareSchema(db, olderCode, CHECK)).rejects.toThrow(/is at version 3, ahead of this code's 2: newer code migrated it \(a rollback\?\)\. Deploy the code that matches the database, or.*ALLOW_SCHEMA_AHEAD=true/);
    const warnings: string[] = [];
    await prepareSchema(db, olderCode, { migrate: false, allowAhead: true }, (w) => warnings.push(w));
    expect(warnings).toEqual([`warning: the ${set.schema} schema is at version 3, ahead of this code's 2: newer code migrated it (a rollback?); starting anyway (ALLOW_SCHEMA_AHEAD=true)`]);
  });

  test('refuses a schema the earlier runner migrated until `npm run migrate` adopts it', async () => {
    const set = fresh();
    await db.tx(async (q) => {
      await q.exec(`CREATE SCHEMA ${set.schema}; CREATE TABLE ${set.schema}.schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
        CREATE TABLE ${set.schema}.a (id int); CREATE TABLE ${set.schema}.b (id int);
        INSERT INTO ${set.schema}.schema_migrations (version) VALUES ('001_a.sql'), ('002_b.sql');`);
    });
    await expect(prepareSchema(db, set, CHECK)).rejects.toThrow(/was migrated by the earlier runner .* run `npm run migrate` against this database once/);
    await migrateSchema(db, set);
    await expect(prepareSchema(db, set, CHECK)).resolves.toBeUndefined();
  });
});
