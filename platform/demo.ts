/**
 * The documented demo user. The seed gives it activity in every subgraph; the development explorer
 * hands out its token. Both sides need the name, so it lives here rather than in either.
 */
export const DEMO_USER = 'demo-driver';
