/**
 * Authorization rules every subgraph applies to the data it owns.
 *
 * Another subgraph calling on its own behalf is the principal `service:<name>` (`caller.ts`: its own key
 * can assert nothing else). Being a service passes no rule here: each policy names the services it lets
 * in, and for what (`isServiceOf`), so a subgraph that has no business with some data is refused it like
 * anybody else.
 */
import { createHmac } from 'node:crypto';
import { forbidden, notFound, unauthenticated } from '../../platform/errors';
import type { Identity, Role } from '../../platform/identity';

/** Requires a signed-in caller. */
export function requireIdentity(identity: Identity | null): Identity {
  if (!identity) throw unauthenticated();
  return identity;
}

/**
 * True when the caller is one of the named subgraphs calling on its own behalf (`service:<name>`). A
 * policy that lets services in names them here, with the reason next to it.
 */
export function isServiceOf(identity: Identity | null, ...services: readonly string[]): boolean {
  return identity?.role === 'service' && services.some((name) => identity.sub === `service:${name}`);
}

/** Requires one of the given roles; a service principal only when the policy names it (`isServiceOf`). */
export function requireRole(identity: Identity | null, ...roles: Role[]): Identity {
  const who = requireIdentity(identity);
  if (who.role !== 'service' && roles.includes(who.role)) return who;
  throw forbidden(`this operation needs the role ${roles.join(' or ')}; ${who.role === 'service' ? `${who.sub} is not among the services it names` : `your token has ${who.role}`}`);
}

/** True when the caller may read everything about `userId`: the user themself, an admin, an analyst. */
export function canReadUser(identity: Identity | null, userId: string): boolean {
  if (!identity) return false;
  if (identity.role === 'customer') return identity.sub === userId;
  return identity.role === 'admin' || identity.role === 'analyst';
}

/**
 * Requires that the caller may read `userId`'s data (a real user id); a customer gets only their own.
 * Subgraphs take it from `realUserId(user)`: an analyst's `User` is keyed by the pseudonym, and orders
 * (which owns users) hands the real id to the other subgraphs through `@requires`.
 */
export function requireReadUser(identity: Identity | null, userId: string): Identity {
  const who = requireIdentity(identity);
  if (!canReadUser(who, userId)) throw forbidden('you can only read your own data');
  return who;
}

/**
 * A `User` as subgraphs hold it: `id` is what the caller sees (a pseudonym for analysts),
 * `internalId` the real user id, resolved by orders and taken with `@requires(fields: "internalId")`.
 */
export interface UserRef {
  id: string;
  internalId?: string;
}

/**
 * The real user id behind a `User`. Every user list is read with it, never with `id`: for an analyst
 * `id` is the pseudonym. The gateway always sends `internalId`; a representation without it (a direct
 * call) names the user by `id`, which for an analyst is a pseudonym that would read nothing: NOT_FOUND.
 */
export function realUserId(identity: Identity | null, user: UserRef): string {
  if (user.internalId) return user.internalId;
  if (shouldPseudonymise(identity)) throw notFound(NO_SUCH_PSEUDONYM);
  return user.id;
}

/** What an analyst is told for a pseudonym of nobody (and for a real user id, which is never a pseudonym). */
export const NO_SUCH_PSEUDONYM = 'there is no user with this pseudonym; analysts address people by their pseudonym (`anon-…`)';

/** Requires that the caller acts for `userId` (the user themself, or an admin acting for them). */
export function requireActAsUser(identity: Identity | null, userId: string): Identity {
  const who = requireIdentity(identity);
  if (canActAsUser(who, userId)) return who;
  throw forbidden('you can only act on your own account');
}

/** True when the caller acts for `userId`: the user themself, or an admin. */
export function canActAsUser(identity: Identity | null, userId: string): boolean {
  if (!identity) return false;
  return (identity.role === 'customer' && identity.sub === userId) || identity.role === 'admin';
}

/** Requires a partner of `orgId` (or an admin). */
export function requirePartnerOf(identity: Identity | null, orgId: string): Identity {
  const who = requireIdentity(identity);
  if (who.role === 'admin' || (who.role === 'partner' && who.org === orgId)) return who;
  throw forbidden(`only partners of organisation ${orgId} may do this`);
}

/** True when the caller sees personal data pseudonymised: analysts. */
export function shouldPseudonymise(identity: Identity | null): boolean {
  return identity?.role === 'analyst';
}

/** Development key for pseudonyms; production sets AUTOGRAPH_PSEUDONYM_KEY (validated by the config). */
const DEV_PSEUDONYM_KEY = 'autograph-development-pseudonym-key';

/**
 * A stable pseudonym for a user id, the same in every subgraph, so analysts can group by person
 * without learning who it is. Keyed (HMAC) so that nobody can reverse it by hashing guessable ids.
 */
export function pseudonym(userId: string): string {
  return `anon-${createHmac('sha256', pseudonymKey()).update(userId).digest('hex').slice(0, 20)}`;
}

const pseudonymKey = () => process.env.AUTOGRAPH_PSEUDONYM_KEY || DEV_PSEUDONYM_KEY;

/**
 * Names the current pseudonym key without revealing it, so stored pseudonyms made with another key
 * (AUTOGRAPH_PSEUDONYM_KEY was changed) are known to be stale and made again.
 */
export function pseudonymKeyId(): string {
  return createHmac('sha256', pseudonymKey()).update('autograph pseudonym key id').digest('hex').slice(0, 16);
}

/** The user id as this caller may see it: pseudonymised for analysts. */
export function visibleUserId(identity: Identity | null, userId: string): string {
  return shouldPseudonymise(identity) ? pseudonym(userId) : userId;
}

/**
 * A person as a `User` reference this caller may be handed: for an analyst its id is the pseudonym,
 * so no field reached through it can reveal who it is. `internalId` (inaccessible to clients) lets this
 * subgraph read the person's lists; the gateway resolves it in orders for every other subgraph.
 */
export function visibleUser(identity: Identity | null, userId: string): Required<UserRef> {
  return { id: visibleUserId(identity, userId), internalId: userId };
}

/**
 * Free text about a person or their car (an owner's appointment note or trade-in description, where a
 * car was charged) as this caller may see it: analysts, who see people only pseudonymised, get null,
 * since free text can name or locate the person whatever the pseudonym hides.
 */
export function visiblePersonalText(identity: Identity | null, text: string | null): string | null {
  return shouldPseudonymise(identity) ? null : text;
}
