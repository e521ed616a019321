/**
 * The insurer's own small database: a schema of its own on PostgreSQL when DATABASE_URL is given, or an
 * embedded PGlite in a directory of its own. Only `query` is needed: every write is one statement, so
 * there are no transactions to get wrong on either. Every SQL text names its schema (`$S` below) instead
 * of relying on `search_path`, so a pool's connections never disagree about where they are.
 */
import type { InsurerConfig } from './config';

export interface InsurerDb {
  /** Runs one statement; `$S` in the text is replaced by the insurer's schema name. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export async function openInsurerDb(config: Pick<InsurerConfig, 'databaseUrl' | 'dbSchema' | 'pgliteDir'>): Promise<InsurerDb> {
  // The schema name was checked to be a plain identifier (config.ts), so it can go into the SQL text.
  const inSchema = (sql: string) => sql.replaceAll('$S', config.dbSchema);
  if (config.databaseUrl) {
    const { Pool } = await import('pg');
    const pool = new Pool({ connectionString: config.databaseUrl, max: 5 });
    return {
      async query<T>(sql: string, params: unknown[] = []) {
        return (await pool.query(inSchema(sql), params)).rows as T[];
      },
      close: () => pool.end(),
    };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const lite = new PGlite(config.pgliteDir);
  await lite.waitReady;
  return {
    async query<T>(sql: string, params: unknown[] = []) {
      return (await lite.query<T>(inSchema(sql), params)).rows;
    },
    close: () => lite.close(),
  };
}
