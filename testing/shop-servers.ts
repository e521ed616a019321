/**
 * Small running subgraphs for `SHOP` (`testing/registry.ts`) and its extensions, for tests of gateways
 * following the registry: each serves a given SDL over the platform's HTTP front, answers only requests
 * the gateway signed, and can be told to serve another SDL — a subgraph that lags behind what was
 * published. Not being folders of this tree, they are partners' subgraphs to the gateway: they accept the
 * partner token a test gateway signs (`testSigningKey`, issuer `autograph-test-gateway`, an audience
 * `autograph:subgraph:<name>`, bound to the body), as a bearer token or in the identity header. Resolvers answer any field with a value made
 * from its name.
 */
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { GraphQLError, parse, type GraphQLFieldResolver } from 'graphql';
import { graphqlHandler, listen, type Listening } from '../platform/http';
import { BODY_BINDING_CLAIM, IDENTITY_HEADER, requestBinding } from '../platform/identity';
import { createPublicKey } from 'node:crypto';
import { jwtVerify } from 'jose';
import { TEST_GATEWAY_ISSUER, testSigningKey } from './harness';

/** The issuer test gateways put in partner tokens (`testGatewayConfig`). */
export const TEST_PARTNER_ISSUER = TEST_GATEWAY_ISSUER;

export interface ShopServer extends Listening {
  /** Requests refused because nobody signed them. */
  unsigned: number;
  /** Serves `sdl` from now on (requests already running finish on the old one). */
  serve(sdl: string): Promise<void>;
  stop(): Promise<void>;
}

/** Any field answers a plain value: the product's `name` "Product 1", a list `['reviews of 1']`, an enum RED. */
const anyField: GraphQLFieldResolver<Record<string, unknown>, unknown> = (source, _args, _ctx, info) => {
  if (source && info.fieldName in source) return source[info.fieldName];
  const type = String(info.returnType).replace(/!/g, '');
  if (type === 'Colour') return 'RED';
  if (type.startsWith('[')) return [`${info.fieldName} of ${source?.id}`];
  return `${info.fieldName} ${source?.id ?? ''}`.trim();
};

function schemaOf(sdl: string) {
  const typeDefs = parse(sdl);
  const resolvers: Record<string, Record<string, unknown>> = {};
  for (const def of typeDefs.definitions) {
    if (def.kind !== 'ObjectTypeDefinition' && def.kind !== 'ObjectTypeExtension') continue;
    const type = (resolvers[def.name.value] ??= {});
    if (def.name.value === 'Query') {
      for (const f of def.fields ?? []) type[f.name.value] = (_: unknown, args: { id?: string }) => ({ id: args.id ?? '1' });
    } else {
      type.__resolveReference = (ref: Record<string, unknown>) => ref;
      for (const f of def.fields ?? []) if (f.name.value !== 'id') type[f.name.value] = anyField;
    }
  }
  return buildSubgraphSchema({ typeDefs, resolvers: resolvers as never });
}

export async function startShopServer(sdl: string): Promise<ShopServer> {
  const build = async (text: string) => {
    const apollo = new ApolloServer({ schema: schemaOf(text), stopOnTerminationSignals: false, plugins: [ApolloServerPluginInlineTraceDisabled()] });
    await apollo.start();
    return { apollo, handler: graphqlHandler({ apollo, maxBodyBytes: 1_000_000, context: async (req, body) => check(req.headers[IDENTITY_HEADER], req.headers.authorization, body) }) };
  };
  const check = async (header: string | string[] | undefined, authorization: string | undefined, body: unknown) => {
    try {
      const token = authorization?.startsWith('Bearer ') ? authorization.slice(7) : String(header);
      const key = testSigningKey();
      const { payload } = await jwtVerify(token, createPublicKey(key.privateKey), { issuer: TEST_PARTNER_ISSUER, algorithms: [key.alg] });
      const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
      if (!aud.some((a) => a?.startsWith('autograph:subgraph:'))) throw new Error('not a subgraph audience');
      if (payload[BODY_BINDING_CLAIM] !== requestBinding(body)) throw new Error('minted for another request');
      return {};
    } catch {
      server.unsigned++;
      throw new GraphQLError('this subgraph answers only requests signed by the gateway', { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
    }
  };
  let current = await build(sdl);
  const retired: Array<typeof current> = [];
  const listening = await listen((req, res) => current.handler(req, res), 0);
  const server: ShopServer = {
    ...listening,
    unsigned: 0,
    async serve(next) {
      retired.push(current);
      current = await build(next);
    },
    async stop() {
      await listening.close();
      await Promise.all([current, ...retired].map((g) => g.apollo.stop()));
    },
  };
  return server;
}
