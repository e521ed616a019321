/** How the core composes a feature list: order, and refusing two owners of one thing. */
import type { IncomingMessage } from 'node:http';
import { captureLogs } from '../platform/logger';
import { combineFeatures, FeatureConflictError } from './combine';
import type { GatewayFeature, GatewayView, SubgraphFetch } from './feature';

const view = {} as GatewayView;
const req = {} as IncomingMessage;
const page = () => undefined;

test('an Apollo Server option, a route or the landing page claimed by two features is refused, naming both', () => {
  expect(() => combineFeatures([{ name: 'a', apolloOptions: { introspection: true } }, { name: 'b', apolloOptions: { introspection: false } }])).toThrow(
    new FeatureConflictError('the Apollo Server option introspection is claimed by two gateway features: a and b'),
  );
  expect(() => combineFeatures([{ name: 'a', landingPage: page }, { name: 'b', landingPage: page }])).toThrow(/the landing page .* a and b/);
  const routes = combineFeatures([{ name: 'a', routes: () => ({ '/x': page }) }, { name: 'b', routes: () => ({ '/x': page, '/y': page }) }]);
  expect(() => routes.routes(view)).toThrow(/the route \/x is claimed by two gateway features: a and b/);
  // Different options, routes and one landing page combine.
  const fine = combineFeatures([{ name: 'a', apolloOptions: { introspection: true }, routes: () => ({ '/x': page }) }, { name: 'b', apolloOptions: { persistedQueries: false }, landingPage: page, routes: () => ({ '/y': page }) }]);
  expect(fine.apolloOptions).toEqual({ introspection: true, persistedQueries: false });
  expect(Object.keys(fine.routes(view))).toEqual(['/x', '/y']);
  expect(fine.landingPage).toBe(page);
});

test('context contributions merge in list order, each seeing what came before', async () => {
  const seen: unknown[] = [];
  const combined = combineFeatures([
    { name: 'who', context: () => ({ identity: { sub: 'u1', role: 'customer' } }) },
    { name: 'reader', context: (_req, soFar) => (seen.push(soFar.identity), {}) },
  ]);
  expect(await combined.context(req)).toEqual({ identity: { sub: 'u1', role: 'customer' } });
  expect(seen).toEqual([{ sub: 'u1', role: 'customer' }]);
});

test('fetcher wrappers nest in list order: the first feature sees a fetch first, the last is nearest the network', async () => {
  const order: string[] = [];
  const wrap = (name: string): GatewayFeature => ({
    name,
    wrapFetch: (next, subgraph) => async (call) => {
      order.push(`${name}:${subgraph}`);
      return next(call);
    },
  });
  const base: SubgraphFetch = async () => (order.push('network'), { status: 200, headers: {}, body: {} });
  await combineFeatures([wrap('cache'), { name: 'plain' }, wrap('timeout')]).fetchFor('orders', base)({ subgraph: 'orders', url: 'http://x', body: { query: '{ a }' }, operation: 'query', headers: {}, context: {} });
  expect(order).toEqual(['cache:orders', 'timeout:orders', 'network']);
});

test('validation rules and plugins keep list order; schema changes reach every feature', () => {
  const rule = () => ({});
  const other = () => ({});
  const plugin = {};
  const schemas: string[] = [];
  const combined = combineFeatures([
    { name: 'a', validationRules: [rule], onSchemaChange: (_s, sdl) => schemas.push(`a:${sdl}`) },
    { name: 'b', validationRules: [other], plugins: [plugin], onSchemaChange: (_s, sdl) => schemas.push(`b:${sdl}`) },
  ]);
  expect(combined.validationRules).toEqual([rule, other]);
  expect(combined.plugins).toEqual([plugin]);
  combined.onSchemaChange({} as never, 'sdl');
  expect(schemas).toEqual(['a:sdl', 'b:sdl']);
});

test('features close last first, and one that fails to close is logged without keeping the others open', async () => {
  const closed: string[] = [];
  const combined = combineFeatures([
    { name: 'a', close: async () => void closed.push('a') },
    { name: 'b', close: async () => Promise.reject(new Error('stuck')) },
    { name: 'c', close: async () => void closed.push('c') },
  ]);
  const logs = captureLogs();
  try {
    await combined.close();
  } finally {
    logs.stop();
  }
  expect(closed).toEqual(['c', 'a']);
  expect(logs.lines()).toEqual([expect.objectContaining({ level: 50, feature: 'b', msg: 'a gateway feature failed to close' })]);
});
