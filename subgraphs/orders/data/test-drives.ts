/** The SQL of test drives (`orders.test_drives`): booked, and cancelled before they start. */
import type { Queryable } from '../../../platform/db';
import { date, maybeDate, type Row } from './rows';
import type { TimeKey } from '../../kit/pagination';
import { pagesByParent, type ParentPageSpec } from '../../kit/parent-pages';

export type TestDriveStatus = 'BOOKED' | 'CANCELLED';

export interface TestDrive {
  id: string;
  userId: string;
  trimId: string;
  city: string;
  at: Date;
  status: TestDriveStatus;
  bookedAt: Date;
  cancelledAt: Date | null;
}

function toTestDrive(r: Row): TestDrive {
  return {
    id: r.id as string,
    userId: r.user_id as string,
    trimId: r.trim_id as string,
    city: r.city as string,
    at: date(r.scheduled_at),
    status: r.status as TestDriveStatus,
    bookedAt: date(r.booked_at),
    cancelledAt: maybeDate(r.cancelled_at),
  };
}

export async function testDrivesByIds(q: Queryable, ids: readonly string[]): Promise<TestDrive[]> {
  const rows = await q.query(`SELECT * FROM orders.test_drives WHERE id = ANY($1::text[])`, [ids]);
  return rows.map(toTestDrive);
}

const TEST_DRIVE_LIST: ParentPageSpec<TestDrive> = { table: 'orders.test_drives', cols: 'x.*', parentCols: ['x.user_id'], sortCol: 'x.booked_at', sortType: 'timestamptz', map: toTestDrive };
export const testDrivePages = (q: Queryable, userIds: readonly string[], after: TimeKey | null, limit: number) => pagesByParent(q, TEST_DRIVE_LIST, userIds, after, limit);

export async function insertTestDrive(q: Queryable, d: TestDrive): Promise<TestDrive> {
  const [row] = await q.query(
    `INSERT INTO orders.test_drives (id, user_id, trim_id, city, scheduled_at, status, booked_at) VALUES ($1, $2, $3, $4, $5, 'BOOKED', $6) RETURNING *`,
    [d.id, d.userId, d.trimId, d.city, d.at, d.bookedAt],
  );
  return toTestDrive(row);
}

/** Cancels a booked drive of `userId` that has not started by `now`; null when that is not its state. */
export async function cancelTestDrive(q: Queryable, id: string, userId: string, now: Date): Promise<TestDrive | null> {
  const [row] = await q.query(
    `UPDATE orders.test_drives SET status = 'CANCELLED', cancelled_at = $3
      WHERE id = $1 AND user_id = $2 AND status = 'BOOKED' AND scheduled_at > $3 RETURNING *`,
    [id, userId, now],
  );
  return row ? toTestDrive(row) : null;
}
