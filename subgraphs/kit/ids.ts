/** One representation of ids across the graph: `<kind>-<suffix>`, text, opaque to clients. */
import { randomUUID } from 'node:crypto';

/** A new random id such as `ord-3f2a…`. */
export function newId(kind: string): string {
  return `${kind}-${randomUUID().replace(/-/g, '').slice(0, 20)}`;
}

/** A deterministic seed id such as `ord-s000042`. */
export function seedId(kind: string, n: number): string {
  return `${kind}-s${String(n).padStart(6, '0')}`;
}

/** Accepts a client-given id only if it is short and printable; anything else can never match a row. */
export function isPlausibleId(value: string): boolean {
  return value.length > 0 && value.length <= 64 && /^[A-Za-z0-9_.:-]+$/.test(value);
}
