/**
 * Who a request is counted against. A verified token is its own budget: its role and subject (and,
 * for a partner, its organisation), whatever address it comes from. A request without a token is
 * counted by the client's name (`apollographql-client-name`) and the address it comes from, and also
 * against the budget all anonymous requests from that address share: the name is the client's to
 * choose, and a new name for every request must not buy a new budget every time.
 *
 * The address is the TCP peer's (an IPv6 one as its /64 network), unless TRUST_PROXY says how many proxies of ours stand in front of
 * the gateway: each appends the address it saw to `X-Forwarded-For`, so the client is the entry that
 * many places from the right (the peer itself being the nearest proxy). Anything further left was
 * written by the client and is ignored; with TRUST_PROXY=0 (the default) the header is ignored whole,
 * so a forged one cannot buy a fresh budget.
 */
import { isIP } from 'node:net';
import type { Identity } from '../platform/identity';
import type { RateLimitRole } from './rate-limit-policy';
import { isClientRole } from '../platform/identity';

/** One budget a request is counted against: the role's limit applies to the key. */
export interface RateLimitBudget {
  role: RateLimitRole;
  /** Stable for one caller, different between callers; safe as (part of) a Redis key. */
  key: string;
  /** Who this is, for the refusal's message. */
  description: string;
}

/** The longest client name kept in a key: the header is the client's to choose, the key is ours to bound. */
const MAX_CLIENT_NAME = 64;
/** Most proxies TRUST_PROXY may name. */
export const MAX_TRUSTED_PROXIES = 10;

/**
 * The /64 network of an IPv6 address, `2001:db8:0:7::/64`: one host is routinely given a whole /64, so
 * counting single addresses would give it 2^64 budgets. Written here because Node parses no IPv6
 * address into its groups and this is the one place that needs it (a dependency for ten lines is not
 * worth it); `address` is known to be IPv6 (`isIP`).
 */
function ipv6Network(address: string): string {
  const groups = (text: string) => (text ? text.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])) : []);
  const [left, right] = address.split('%')[0].split('::');
  const head = groups(left);
  const tail = right === undefined ? [] : groups(right);
  const all = right === undefined ? head : [...head, ...Array<string>(8 - head.length - tail.length).fill('0'), ...tail];
  return `${all.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}

/** An address as one spelling: IPv4 peers of a dual-stack socket come as `::ffff:a.b.c.d`; IPv6 as its /64. */
function normalizeAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  return isIP(address) === 6 ? ipv6Network(address.toLowerCase()) : address;
}

/**
 * The client's address: the peer's with `trustedProxies` 0, else the `X-Forwarded-For` entry written
 * by the outermost of our proxies. An entry that is not an address (a misconfigured proxy) falls back
 * to the peer: never a value the client could choose freely.
 */
export function clientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined, trustedProxies: number): string {
  const socket = normalizeAddress(peer ?? 'unknown');
  if (trustedProxies <= 0) return socket;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? ''))
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  const chain = [...hops, socket];
  const client = chain[Math.max(0, chain.length - 1 - trustedProxies)];
  return isIP(client) ? normalizeAddress(client) : socket;
}

/**
 * The budgets a request spends from: its verified identity's; else its client name and address's, and
 * the budget every anonymous request from that address shares (the name being the client's to choose).
 */
export function rateLimitBudgets(identity: Identity | null | undefined, clientName: string | string[] | undefined, address: string): RateLimitBudget[] {
  if (identity && isClientRole(identity.role)) {
    const who = identity.org ? `${encodeURIComponent(identity.org)}/${encodeURIComponent(identity.sub)}` : encodeURIComponent(identity.sub);
    return [{ role: identity.role, key: `${identity.role}:${who}`, description: `${identity.role} ${identity.org ? `${identity.org}/` : ''}${identity.sub}` }];
  }
  const name = (Array.isArray(clientName) ? clientName[0] : clientName)?.slice(0, MAX_CLIENT_NAME) ?? '';
  return [
    { role: 'anonymous', key: `anonymous:${encodeURIComponent(name)}@${address}`, description: `anonymous ${name ? `client ${JSON.stringify(name)}` : 'caller'} from ${address}` },
    { role: 'anonymous-address', key: `anonymous-address:${address}`, description: `all anonymous callers from ${address} together` },
  ];
}
