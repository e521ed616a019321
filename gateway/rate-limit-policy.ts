/**
 * How many points each kind of caller may spend per window (RATE_LIMITS), as a pure parser and the
 * defaults. A request spends one point unless the gateway weighs it by its cost (`RateLimitPoints`).
 *
 * The defaults are set so that a person using the app never meets them — the app's busiest screen
 * makes a handful of requests — while one token or one address cannot flood the graph: a flood is
 * hundreds of requests a second, the defaults allow a few a second sustained over a minute. Partners
 * call from their back ends in bulk, so they get more; anonymous traffic (no token) gets the least,
 * but still enough for several people of one app behind one NAT address. The client name is the
 * client's to choose, so one address's anonymous requests also share a ceiling of four such budgets:
 * sending a new name each time buys no more than that.
 */
import { CLIENT_ROLES } from '../platform/identity';

/**
 * Whom a limit applies to: a role of a verified token; a caller without one (by client name and
 * address); and every caller without one from one address together, whatever client names they send.
 */
export const RATE_LIMIT_ROLES = [...CLIENT_ROLES, 'anonymous', 'anonymous-address'] as const;
export type RateLimitRole = (typeof RATE_LIMIT_ROLES)[number];

export interface RateLimitPolicy {
  /** Points one caller may spend per window. */
  points: number;
  /** The window, in seconds (a fixed window starting at the caller's first request in it). */
  windowSeconds: number;
}

export type RateLimitPolicies = Record<RateLimitRole, RateLimitPolicy>;

export const DEFAULT_RATE_LIMITS: RateLimitPolicies = {
  customer: { points: 600, windowSeconds: 60 },
  partner: { points: 3000, windowSeconds: 60 },
  analyst: { points: 1200, windowSeconds: 60 },
  admin: { points: 1200, windowSeconds: 60 },
  anonymous: { points: 300, windowSeconds: 60 },
  'anonymous-address': { points: 1200, windowSeconds: 60 },
};

/** Most points per window that can be configured (a limit above this is no limit). */
export const MAX_POINTS = 1_000_000_000;
/** Longest window that can be configured: one day. */
export const MAX_WINDOW_SECONDS = 86_400;

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600 };

function isRole(value: string): value is RateLimitRole {
  return (RATE_LIMIT_ROLES as readonly string[]).includes(value);
}

/**
 * `customer=300/60s,anonymous=60/1m`: the defaults with the roles given replaced. Each bad entry adds
 * one problem naming `variable`; the role's default stays.
 */
export function parseRateLimits(raw: string, variable: string, problems: string[]): RateLimitPolicies {
  const policies: RateLimitPolicies = { ...DEFAULT_RATE_LIMITS };
  const seen = new Set<string>();
  for (const entry of raw.split(',').map((e) => e.trim())) {
    const m = /^([a-z-]+)=(\d+)\/(\d+)([smh])$/.exec(entry);
    if (!m) {
      problems.push(`${variable}: ${JSON.stringify(entry)} is not role=points/window (e.g. customer=300/60s; window in s, m or h)`);
      continue;
    }
    const [, role, pointsText, windowText, unit] = m;
    if (!isRole(role)) {
      problems.push(`${variable}: ${JSON.stringify(role)} is not a role (one of ${RATE_LIMIT_ROLES.join(', ')})`);
      continue;
    }
    if (seen.has(role)) {
      problems.push(`${variable}: ${role} is given twice`);
      continue;
    }
    seen.add(role);
    const points = Number(pointsText);
    const windowSeconds = Number(windowText) * UNITS[unit];
    if (points < 1 || points > MAX_POINTS) {
      problems.push(`${variable}: ${role}=${pointsText}/… must allow from 1 to ${MAX_POINTS} points`);
      continue;
    }
    if (windowSeconds < 1 || windowSeconds > MAX_WINDOW_SECONDS) {
      problems.push(`${variable}: ${role}=…/${windowText}${unit} must be a window from 1 s to ${MAX_WINDOW_SECONDS / 3600} h`);
      continue;
    }
    policies[role] = { points, windowSeconds };
  }
  return policies;
}
