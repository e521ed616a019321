/**
 * Who a request is counted against. A verified token is its own budget: its role and subject (and,
 * for a partner, its organisation), whatever address it comes from. A request without a token is
 * counted by the client's name (`apollographql-client-name`) and the address it comes from.
 *
 * The address is the TCP peer's, unless TRUST_PROXY says how many proxies of ours stand in front of
 * the gateway: each appends the address it saw to `X-Forwarded-For`, so the client is the entry that
 * many places from the right (the peer itself being the nearest proxy). Anything further left was
 * written by the client and is ignored; with TRUST_PROXY=0 (the default) the header is ignored whole,
 * so a forged one cannot buy a fresh budget.
 */
import { isIP } from 'node:net';
import type { Identity } from '../platform/identity';
import type { RateLimitRole } from './rate-limit-policy';
import { isClientRole } from '../platform/identity';

/** What a request is counted against: the role's limit applies to the key. */
export interface RateLimitCaller {
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

/** An address as one spelling: IPv4 peers of a dual-stack socket come as `::ffff:a.b.c.d`. */
function normalizeAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return (mapped ? mapped[1] : address).toLowerCase();
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

/** The caller of a request: its verified identity, else its client name and address. */
export function rateLimitCaller(identity: Identity | null | undefined, clientName: string | string[] | undefined, address: string): RateLimitCaller {
  if (identity && isClientRole(identity.role)) {
    const who = identity.org ? `${encodeURIComponent(identity.org)}/${encodeURIComponent(identity.sub)}` : encodeURIComponent(identity.sub);
    return { role: identity.role, key: `${identity.role}:${who}`, description: `${identity.role} ${identity.org ? `${identity.org}/` : ''}${identity.sub}` };
  }
  const name = (Array.isArray(clientName) ? clientName[0] : clientName)?.slice(0, MAX_CLIENT_NAME) ?? '';
  return {
    role: 'anonymous',
    key: `anonymous:${encodeURIComponent(name)}@${address}`,
    description: `anonymous ${name ? `client ${JSON.stringify(name)}` : 'caller'} from ${address}`,
  };
}
