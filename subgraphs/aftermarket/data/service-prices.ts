/** The expected bill of a scheduled service (`aftermarket.scheduled_service_prices`): reference data the quote and the app read. */
import type { Queryable } from '../../../platform/db';
import { fenFromDb } from '../../../platform/money';
import type { Row } from './rows';

export interface ScheduledServicePrice {
  id: string;
  name: string;
  /** The price applies to the n-th scheduled service when this divides n (the largest such wins). */
  everyNthService: number;
  expectedBillFen: bigint;
  description: string;
}

/** Every price, by `everyNthService` (a handful of rows). */
export async function listScheduledServicePrices(q: Queryable): Promise<ScheduledServicePrice[]> {
  const rows = await q.query<Row>('SELECT id, name, every_nth_service, expected_bill_fen, description FROM aftermarket.scheduled_service_prices ORDER BY every_nth_service');
  return rows.map((r) => ({
    id: String(r.id),
    name: String(r.name),
    everyNthService: Number(r.every_nth_service),
    expectedBillFen: fenFromDb(r.expected_bill_fen),
    description: String(r.description),
  }));
}
