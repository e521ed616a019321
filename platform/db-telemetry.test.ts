/** What a statement's span may say about it: its operation and first table, never its values. */
import { statementSummary } from './db-telemetry';

test.each([
  ['SELECT id FROM orders.orders WHERE user_id = $1', { operation: 'SELECT', table: 'orders.orders' }],
  ['  insert into finance.instalments (id, loan_id) VALUES ($1, $2)', { operation: 'INSERT', table: 'finance.instalments' }],
  ['UPDATE energy.swap_sessions SET fee_fen = $1', { operation: 'UPDATE', table: 'energy.swap_sessions' }],
  ['DELETE FROM aftermarket.appointments WHERE id = $1', { operation: 'DELETE', table: 'aftermarket.appointments' }],
  ['WITH paid AS (SELECT 1) SELECT * FROM finance.loans', { operation: 'SELECT', table: 'finance.loans' }],
  ['SELECT 1', { operation: 'SELECT' }],
  ["SELECT pg_advisory_xact_lock(hashtext('x'))", { operation: 'SELECT' }],
  ['VACUUM', { operation: 'OTHER' }],
])('%s → %j', (sql, expected) => {
  expect(statementSummary(sql)).toEqual(expected);
});

test("a literal in the statement never reaches the summary", () => {
  const summary = statementSummary("SELECT * FROM orders.users WHERE phone = '13800138000' AND name = 'Li Wei'");
  expect(JSON.stringify(summary)).not.toMatch(/1380|Li Wei/);
});
