/**
 * The documented demo user. The seed gives it activity in every subgraph; the development explorer
 * hands out its token. Both sides need the name, so it lives here rather than in either.
 */
export const DEMO_USER = 'demo-driver';

/**
 * The seed's other users are `user-000001`, `user-000002`, …: a demo token may be asked for any of them
 * (development only), never for an id of another shape.
 */
export const DEMO_USER_ID = /^(demo-driver|user-\d{6})$/;

/** The first `count` seeded users' ids, `DEMO_USER` first: the ones the web app's sign-in offers. */
export function demoUserIds(count: number): string[] {
  return [DEMO_USER, ...Array.from({ length: Math.max(0, count - 1) }, (_, i) => `user-${String(i + 1).padStart(6, '0')}`)];
}
