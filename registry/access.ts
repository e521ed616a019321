/**
 * Who may call which registry route. A caller sends `Authorization: Bearer <credential>`, one of:
 * - a registry key (`agk_<id>_<secret>`, `credentials.ts`) of kind `admin`, `gateway` or `partner`;
 * - an admin JWT, verified exactly as the gateway verifies client tokens (`gateway/auth.ts`, the same JWT_*
 *   settings), so an operator can always sign in, and create the first keys, with `npm run token`.
 * Each route declares its access (`RouteAccess`); `admit` refuses a caller that may not use it at all, and
 * for `subgraph` routes `requireGranted` refuses a partner whose organisation is not granted every name,
 * and `requireOwnOverrides` a partner candidate that `@override`s a field from a name it does not hold;
 * for `documents` routes (trusted documents) `requireClient` refuses a partner whose organisation is not
 * granted the client, and a gateway anything but reading.
 * Missing, malformed, unknown, forged or revoked credentials are 401; a credential that may not do this is
 * 403; each message names the credential, its organisation and the name. A call is recorded as the key's
 * last use only once it is allowed, so a refused call changes nothing.
 */
import { GraphQLError } from 'graphql';
import { createTokenVerifier, type JwtSettings } from '../gateway/auth';
import type { Db, Queryable } from '../platform/db';
import type { Identity } from '../platform/identity';
import { KEY_PREFIX, keyPrincipal, parseKey, recordUse, verifyKey, type KeyKind, type KeySummary } from './credentials';
import { clientHolder } from './document-store';
import { holdersOf, liveGrants } from './grants';
import { overridesIn } from './overrides';
import type { Candidate } from './check';
import { RegistryError } from './requests';

/**
 * Who may call a route: `admin` (admins only), `gateway` (admins and gateway keys: what gateways and
 * peer-following subgraphs read and report), `subgraph` (admins, and partner keys whose organisation is
 * granted the route's subgraph names), `read` (every kind; the answer is scoped by `visibleNames`),
 * `documents` (admins; gateway keys to read; partner keys whose organisation is granted the client).
 */
export type RouteAccess = 'admin' | 'gateway' | 'subgraph' | 'read' | 'documents';

/** An admitted caller. */
export interface Caller {
  kind: KeyKind;
  /** What it acts as, recorded as a version's `publisher`: an admin JWT's `sub`, or `partner:<org>/key:<id>`, `gateway/key:<id>`, `admin/key:<id>`. */
  principal: string;
  /** A partner key's organisation. */
  org?: string;
  /** The key it used; none for an admin JWT. */
  keyId?: string;
  /** The credential in words, for refusals: "the partner key 0123… of insurer-co". */
  described: string;
}

export interface RegistryAccess {
  /** The caller of `route` (e.g. "POST /v1/keys"), when its credential is valid and its kind may call a route of `access`; else a 401/403 RegistryError. */
  admit(authorization: string | undefined, access: RouteAccess, route: string): Promise<Caller>;
  /**
   * Refuses (403, naming each name not granted) unless `caller` may act on every one of `names`; records the
   * use once allowed, unless `thenOverrides` says `requireOwnOverrides` is still to come (it records it then).
   */
  requireGranted(caller: Caller, names: readonly string[], opts?: { thenOverrides?: boolean }): Promise<void>;
  /**
   * Refuses (403, naming each field and the name it is taken from) a partner's candidate that
   * `@override`s a field from a subgraph name not granted to the partner's organisation; admins may.
   * Records the use once allowed. `q`: the transaction to read and record in, when called inside one.
   */
  requireOwnOverrides(caller: Caller, candidates: readonly Candidate[], q?: Queryable): Promise<void>;
  /**
   * Refuses (403) unless `caller` may act on `client`'s trusted documents: admins always, gateway keys to
   * read (`write` false), partner keys when the client is granted to their organisation. Records the use once allowed.
   */
  requireClient(caller: Caller, client: string, write: boolean): Promise<void>;
  /** The subgraph names `caller` may see: null for all (admins, gateways), the granted names for a partner. */
  visibleNames(caller: Caller): Promise<Set<string> | null>;
}

const CHALLENGE = 'Bearer realm="autograph"';
const SIGN_IN = `send "Authorization: Bearer <credential>": a registry key (${KEY_PREFIX}…) or an admin token`;
const FORMAT = `${KEY_PREFIX}<16 hex digits>_<43 base64url characters>`;

function unauthenticated(message: string, error?: 'invalid_request' | 'invalid_token'): RegistryError {
  // error_description allows printable ASCII except `"` and `\` (RFC 6750 §3).
  const description = message.replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/g, '?');
  const challenge = error ? `${CHALLENGE}, error="${error}", error_description="${description}"` : CHALLENGE;
  return new RegistryError(401, 'UNAUTHENTICATED', message, undefined, { 'www-authenticate': challenge });
}

const forbidden = (message: string) => new RegistryError(403, 'FORBIDDEN', message);

function describeKey(key: Pick<KeySummary, 'id' | 'kind' | 'org'>): string {
  return key.kind === 'partner' ? `the partner key ${key.id} of ${key.org}` : `the ${key.kind} key ${key.id}`;
}

const ALLOWED: Record<RouteAccess, readonly KeyKind[]> = {
  admin: ['admin'],
  gateway: ['admin', 'gateway'],
  subgraph: ['admin', 'partner'],
  read: ['admin', 'gateway', 'partner'],
  documents: ['admin', 'gateway', 'partner'],
};

const WHO_MAY: Record<RouteAccess, string> = {
  admin: 'is for admins only',
  gateway: 'is for admins and gateway keys',
  subgraph: 'is for admins and partner keys granted the subgraph name',
  read: 'is for registry credentials',
  documents: "is for admins, gateway keys (to read) and partner keys granted the client",
};

/** What each kind may do, to end a 403 with what the credential is for. */
const KIND_MAY: Record<KeyKind, string> = {
  admin: 'may do everything',
  gateway: 'may read the supergraph and the subgraph list, and report usage',
  partner: "may check, publish, remove, roll back and read only its organisation's granted subgraph names, and publish and read the trusted documents of its granted clients",
};

export function registryAccess(db: Db, jwt: JwtSettings): RegistryAccess {
  const verifyJwt = createTokenVerifier(jwt);

  async function callerFromKey(token: string): Promise<Caller> {
    const parsed = parseKey(token);
    // Never echo the token: it may be a real secret with one character wrong.
    if (!parsed) throw unauthenticated(`the registry key is malformed: a key is ${FORMAT}`, 'invalid_request');
    const verdict = await verifyKey(db, parsed.id, parsed.secret);
    if (verdict.status === 'unknown') throw unauthenticated(`no registry key has the id ${parsed.id} (revoked keys are kept, so it was never issued by this registry)`, 'invalid_token');
    if (verdict.status === 'wrong-secret') throw unauthenticated(`the registry key ${parsed.id} does not verify: its secret is wrong`, 'invalid_token');
    if (verdict.status === 'revoked') throw unauthenticated(`the registry key ${parsed.id} was revoked at ${verdict.key.revokedAt!.toISOString()}: ask an admin for a new one`, 'invalid_token');
    const { key } = verdict;
    return { kind: key.kind, principal: keyPrincipal(key), keyId: key.id, described: describeKey(key), ...(key.org ? { org: key.org } : {}) };
  }

  async function callerFromJwt(authorization: string): Promise<Caller> {
    let identity: Identity | null;
    try {
      identity = await verifyJwt(authorization);
    } catch (err) {
      if (!(err instanceof GraphQLError)) throw err;
      const http = err.extensions.http as { status?: number; headers?: Map<string, string> } | undefined;
      throw new RegistryError(http?.status ?? 401, 'UNAUTHENTICATED', err.message, undefined, { 'www-authenticate': http?.headers?.get('www-authenticate') ?? CHALLENGE });
    }
    if (!identity) throw unauthenticated(`sign in: ${SIGN_IN}`);
    if (identity.role !== 'admin') {
      const partner = identity.role === 'partner' ? ' (partners use a registry key an admin issues for their organisation)' : '';
      throw forbidden(`the registry takes admin tokens and registry keys (${KEY_PREFIX}…)${partner}; the role ${identity.role} may not use it`);
    }
    return { kind: 'admin', principal: identity.sub, described: `the admin token of ${identity.sub}` };
  }

  async function authenticate(authorization: string | undefined): Promise<Caller> {
    if (authorization === undefined || authorization.trim() === '') throw unauthenticated(`sign in: ${SIGN_IN}`);
    const m = /^\s*(\S+)\s+(\S+)\s*$/.exec(authorization);
    if (m && m[1].toLowerCase() === 'bearer' && m[2].startsWith(KEY_PREFIX)) return callerFromKey(m[2]);
    // A key sent any other way must not reach the JWT verifier, whose refusals quote the scheme (here the secret).
    if (authorization.includes(KEY_PREFIX)) throw unauthenticated(`send a registry key as "Authorization: Bearer ${KEY_PREFIX}…", alone`, 'invalid_request');
    return callerFromJwt(authorization);
  }

  const used = (caller: Caller, q: Queryable = db) => (caller.keyId ? recordUse(q, caller.keyId) : Promise.resolve());

  return {
    async admit(authorization, access, route) {
      const caller = await authenticate(authorization);
      if (!ALLOWED[access].includes(caller.kind)) throw forbidden(`${route} ${WHO_MAY[access]}; ${caller.described} ${KIND_MAY[caller.kind]}`);
      // A partner on a subgraph route is allowed only once its names are known to be granted.
      // A `documents` route records the use in `requireClient`, once the client is known to be allowed.
      if (!(access === 'subgraph' && caller.kind === 'partner') && access !== 'documents') await used(caller);
      return caller;
    },

    async requireGranted(caller, names, opts) {
      if (caller.kind === 'admin') return;
      if (caller.kind !== 'partner') throw forbidden(`${caller.described} may not change or read subgraph ${names.join(', ')}: it ${KIND_MAY[caller.kind]}`);
      const holders = await holdersOf(db, names);
      const missing = names.filter((n) => holders.get(n) !== caller.org);
      if (missing.length > 0) {
        const list = missing.join(', ');
        const s = missing.length === 1 ? '' : 's';
        throw forbidden(`${caller.described} may not use subgraph${s} ${list}: ${missing.length === 1 ? 'it is' : 'they are'} not granted to the organisation ${caller.org} (an admin grants a name: npm run schema -- grant --org ${caller.org} --name ${missing[0]}); nothing was changed`);
      }
      if (!opts?.thenOverrides) await used(caller);
    },

    async requireOwnOverrides(caller, candidates, q = db) {
      if (caller.kind === 'admin') return;
      const overrides = candidates.flatMap((c) => overridesIn(c.typeDefs).map((o) => ({ ...o, in: c.name })));
      const holders = await holdersOf(q, [...new Set(overrides.map((o) => o.from))]);
      const taken = overrides.filter((o) => caller.kind !== 'partner' || holders.get(o.from) !== caller.org);
      if (taken.length === 0) return used(caller, q);
      const list = taken.map((o) => `${o.in}'s ${o.coordinate} @override(from: ${JSON.stringify(o.from)})`).join(', ');
      throw forbidden(`${caller.described} may not take fields from subgraphs its organisation does not hold: ${list} (${[...new Set(taken.map((o) => o.from))].join(', ')} ${taken.length === 1 ? 'is' : 'are'} not granted to ${caller.org ?? 'it'}; only an admin may override a field from another subgraph); nothing was changed`);
    },

    async requireClient(caller, client, write) {
      if (caller.kind === 'admin') return used(caller);
      if (caller.kind === 'gateway') {
        if (write) throw forbidden(`${caller.described} may not publish trusted documents: it ${KIND_MAY.gateway}`);
        return used(caller);
      }
      const holder = await clientHolder(db, client);
      if (holder !== caller.org) {
        throw forbidden(`${caller.described} may not use the trusted documents of client ${client}: it is ${holder ? `granted to ${holder}` : 'granted to no organisation'}, not to ${caller.org} (an admin grants it: npm run schema -- documents grant --client ${client} --org ${caller.org}); nothing was changed`);
      }
      await used(caller);
    },

    async visibleNames(caller) {
      if (caller.kind !== 'partner') return null;
      return new Set((await liveGrants(db, caller.org)).map((g) => g.name));
    },
  };
}
