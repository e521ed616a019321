/**
 * One representation of ids across the graph, and the one check of each kind of id a client sends:
 * row ids (`<kind>-<suffix>`, text, opaque to clients), VINs (the `Vehicle` key) and organisation ids
 * (what a partner token's `org` carries). Each check refuses before any SQL runs, with BAD_USER_INPUT
 * naming the argument and saying what would be accepted.
 */
import { randomUUID } from 'node:crypto';
import { badInput } from '../../platform/errors';

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

/** A client's value as an error message may repeat it: at most 40 characters. */
function shown(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}…` : value;
}

/**
 * The id argument `field`, refused when it can never name a row (too long, odd characters). `what`
 * names the kind of object ("store", "insurance product") when the field name alone does not say.
 */
export function checkId(value: string, field: string, what?: string): string {
  if (!isPlausibleId(value)) {
    throw badInput(`\`${field}\` is not a valid ${what ? `${what} ` : ''}id ("${shown(value)}"): an id is 1 to 64 letters, digits, ".", "_", ":" or "-"`, field);
  }
  return value;
}

/** As `checkId` for an optional argument: null when it is not given. */
export function optionalId(value: string | null | undefined, field: string, what?: string): string | null {
  return value === null || value === undefined ? null : checkId(value, field, what);
}

/** A VIN (ISO 3779): 17 characters, digits and capitals without I, O and Q. */
export const VIN_RE = /^[A-HJ-NPR-Z0-9]{17}$/;

/** A VIN argument, without surrounding spaces and in upper case (as printed on the car), refused unless it is one. */
export function parseVin(raw: string, field = 'vin'): string {
  const vin = raw.trim().toUpperCase();
  if (!VIN_RE.test(vin)) throw badInput(`\`${field}\` is not a VIN ("${shown(raw)}"): a VIN is 17 characters from 0-9 and A-Z without I, O and Q`, field);
  return vin;
}

/** Organisation ids as tokens carry them: lower-case words joined by hyphens, e.g. `gac-aion`. */
const ORG_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function isOrgId(value: string): boolean {
  return ORG_RE.test(value);
}

/** The organisation argument `field`, refused unless it is an organisation id; `example` is one of the kind expected. */
export function checkOrgId(value: string, field: string, example: string): string {
  if (!isOrgId(value)) throw badInput(`\`${field}\` must be an organisation id such as "${example}"`, field);
  return value;
}
