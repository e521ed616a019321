import { DbUsageError } from './db';
import { noDatabase } from './no-database';

describe('the database of a stateless subgraph', () => {
  test('refuses every statement, transaction and LISTEN, naming the subgraph; closing is harmless', async () => {
    const db = noDatabase('spending');
    expect(db.kind).toBe('none');
    await expect(db.query('SELECT 1')).rejects.toThrow(new DbUsageError('spending is stateless: it has no database to query'));
    await expect(db.tx(async () => 1)).rejects.toBeInstanceOf(DbUsageError);
    await expect(db.listen('changes', () => undefined)).rejects.toBeInstanceOf(DbUsageError);
    await expect(db.close()).resolves.toBeUndefined();
  });
});
