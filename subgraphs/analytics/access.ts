/** Who may read the analyst views and refresh the store, and the checks of their arguments. */
import { badInput } from '../../platform/errors';
import type { Identity } from '../../platform/identity';
import { requireRole } from '../kit/auth';
import { parseIsoDateTime } from '../../platform/scalars';

/** Analysts and admins (and other subgraphs); a customer or partner FORBIDDEN, no token UNAUTHENTICATED. */
export function requireAnalyst(identity: Identity | null): Identity {
  return requireRole(identity, 'analyst', 'admin');
}

export interface PartitionArg {
  index: number;
  count: number;
}

export const MAX_PARTITIONS = 64;

/** A partition, checked: `count` 1 to 64, `index` 0 to count - 1. Null: the whole view. */
export function readPartition(p: PartitionArg | null | undefined): PartitionArg | null {
  if (!p) return null;
  if (!Number.isInteger(p.count) || p.count < 1 || p.count > MAX_PARTITIONS) throw badInput(`\`partition.count\` must be from 1 to ${MAX_PARTITIONS}`, 'partition.count');
  if (!Number.isInteger(p.index) || p.index < 0 || p.index >= p.count) throw badInput(`\`partition.index\` must be from 0 to count - 1 (${p.count - 1})`, 'partition.index');
  return p;
}

/** The longest list a filter may hold, and the longest text in it. */
const MAX_FILTER_VALUES = 100;
const MAX_FILTER_TEXT = 100;

/** A filter's list of ids or names, checked; null when not given. */
export function readList(values: readonly string[] | null | undefined, field: string): string[] | null {
  if (values === null || values === undefined) return null;
  if (values.length === 0 || values.length > MAX_FILTER_VALUES) throw badInput(`\`${field}\` lists 1 to ${MAX_FILTER_VALUES} values (omit it for all)`, field);
  for (const v of values) if (v.length === 0 || v.length > MAX_FILTER_TEXT || v.includes('\u0000')) throw badInput(`\`${field}\` holds values of 1 to ${MAX_FILTER_TEXT} characters`, field);
  return [...values];
}

/** A period's bounds, checked (`from` before `to`). */
export function readPeriod(from: Date | string | null | undefined, to: Date | string | null | undefined): { from: Date | null; to: Date | null } {
  const f = from ? (from instanceof Date ? from : parseIsoDateTime(from)) : null;
  const t = to ? (to instanceof Date ? to : parseIsoDateTime(to)) : null;
  if (f && t && f >= t) throw badInput('`from` must be before `to`', 'filter.from');
  return { from: f, to: t };
}
