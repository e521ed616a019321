/**
 * Who may read what, decided here, by the owner of the data — not trusted to the gateway. A customer
 * reads only their own policies and premiums; an admin reads all. Analysts see the graph's spending
 * totals, so they may read the spending contributions and the premiums the lines point at (amounts and
 * product names, nothing personal), but not anyone's list of policies. Other partners read nothing.
 */
import { GraphQLError } from 'graphql';
import type { Caller } from './identity';

const refuse = (code: 'UNAUTHENTICATED' | 'FORBIDDEN', message: string) => new GraphQLError(message, { extensions: { code } });

export function requireSignedIn(caller: Caller): NonNullable<Caller> {
  if (!caller) throw refuse('UNAUTHENTICATED', 'sign in to see this');
  return caller;
}

/** The caller may read `userId`'s policies. */
export function requirePolicyReader(caller: Caller, userId: string): void {
  const who = requireSignedIn(caller);
  if (who.role === 'admin' || (who.role === 'customer' && who.sub === userId)) return;
  throw refuse('FORBIDDEN', 'you can only read your own policies');
}

/** The caller may read `userId`'s spending with this insurer (premiums and their sums). */
export function requireSpendingReader(caller: Caller, userId: string): void {
  const who = requireSignedIn(caller);
  if (who.role === 'admin' || who.role === 'analyst' || (who.role === 'customer' && who.sub === userId)) return;
  throw refuse('FORBIDDEN', 'you can only read your own spending');
}
