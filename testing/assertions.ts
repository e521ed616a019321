/**
 * Reading what the graph answered, the same way in every test: the first error's code, message and
 * field, the data (failing the test on any error), what a check threw, and a wire amount as exact fen. (Fen back to the
 * wire's string is platform/money.ts's `formatFen`.)
 */
import { GraphQLError } from 'graphql';
import type { GqlResult } from './harness';

/** The code of the first error, or 'OK' when there was none. */
export function codeOf(res: GqlResult): string {
  return res.errors?.length ? String(res.errors[0].extensions?.code) : 'OK';
}

/** The message of the first error, or '' when there was none. */
export function messageOf(res: GqlResult): string {
  return res.errors?.[0]?.message ?? '';
}

/** The argument path the first error names (`extensions.field`), if any. */
export function fieldOf(res: GqlResult): unknown {
  return res.errors?.[0]?.extensions?.field;
}

/** Returns the data, failing the test with the errors when there are any. */
export function ok<T = any>(res: GqlResult<T>): T {
  if (res.errors?.length) throw new Error(`unexpected errors: ${JSON.stringify(res.errors, null, 2)}`);
  return res.data as T;
}

/** What a check called directly refused with (its code, the field it names and its message), or code 'OK' when it did not throw. */
export function refusalOf(check: () => unknown): { code: string; field?: unknown; message?: string } {
  try {
    check();
  } catch (err) {
    if (!(err instanceof GraphQLError)) throw err;
    return { code: String(err.extensions.code), field: err.extensions.field, message: err.message };
  }
  return { code: 'OK' };
}

/**
 * A wire amount (`"69800.00"`, `"-20000.00"`, or a Money holding one) as exact fen. Stricter than the
 * input parser `parseDecimalToFen` (which takes `"12"` or `"12.5"` from clients): the graph always
 * answers with exactly two decimals, and anything else fails the test.
 */
export function fen(amount: string | { amount: string }): bigint {
  const text = typeof amount === 'string' ? amount : amount.amount;
  const m = /^(-?)(\d+)\.(\d{2})$/.exec(text);
  if (!m) throw new Error(`not an amount with exactly two decimals: ${JSON.stringify(text)}`);
  const value = BigInt(m[2]) * 100n + BigInt(m[3]);
  return m[1] ? -value : value;
}
