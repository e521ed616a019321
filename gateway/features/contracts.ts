/**
 * Feature: contracts. A caller whose verified role maps to a contract (`partner` → the `partner` contract
 * by default; CONTRACT_ROLES) is served that contract's schema (`gateway/contract.ts`): what is outside it
 * does not exist for them.
 *  - Validation: every operation of theirs is validated against the contract schema, however the
 *    document arrived (a query, an automatic persisted query hash, a document Apollo cached after
 *    validating it for someone else), and refused as GraphQL refuses an unknown field:
 *    GRAPHQL_VALIDATION_FAILED, HTTP 400, "Cannot query field …", before anything is planned or fetched.
 *    When the full schema already refused the document, the errors they get are the contract's (the
 *    full schema's would say "Did you mean" a hidden field, or that a hidden field takes no such argument).
 *  - Introspection (`__schema`, `__type`, so the explorer too) is answered from the contract schema.
 * The contract schemas are recomputed with every new supergraph. A supergraph whose contract cannot be
 * built is served to everyone else; callers of that contract are refused (never shown the full schema)
 * until one that can arrives, and the log says why.
 */
import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import {
  execute,
  getOperationAST,
  GraphQLError,
  Kind,
  specifiedRules,
  validate,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionNode,
} from 'graphql';
import { CLIENT_ROLES, isClientRole, type ClientRole, type Identity } from '../../platform/identity';
import { logger } from '../../platform/logger';
import { contractApiSchema, CONTRACTS, PARTNER_CONTRACT, type ContractDefinition } from '../contract';
import type { GatewayContext, GatewayFeature } from '../feature';

/** Which contract each role is served; a role not named sees the full schema. */
export type ContractRoles = Partial<Record<ClientRole, string>>;

/** Partners see the partner contract; nobody else is filtered. */
export const DEFAULT_CONTRACT_ROLES: ContractRoles = { partner: PARTNER_CONTRACT.name };

/** The value that gives a role the full schema in CONTRACT_ROLES. */
const FULL = 'full';

/**
 * CONTRACT_ROLES: `role=contract` pairs separated by commas (`partner=partner,analyst=partner`); `full`
 * for the whole schema. A role it does not name keeps its default, so partners stay on their contract
 * unless the variable says `partner=full`.
 */
export function readContractRoles(env: NodeJS.ProcessEnv, problems: string[]): ContractRoles {
  const raw = env.CONTRACT_ROLES;
  const roles: ContractRoles = { ...DEFAULT_CONTRACT_ROLES };
  if (raw === undefined || raw.trim() === '') return roles;
  const known = CONTRACTS.map((c) => c.name);
  for (const pair of raw.split(',')) {
    const m = /^\s*([a-z]+)\s*=\s*([A-Za-z0-9_-]+)\s*$/.exec(pair);
    if (!m) {
      problems.push(`CONTRACT_ROLES=${JSON.stringify(raw)}: ${JSON.stringify(pair.trim())} is not role=contract (e.g. partner=partner)`);
      continue;
    }
    const [, role, contract] = m;
    if (!isClientRole(role)) problems.push(`CONTRACT_ROLES: ${JSON.stringify(role)} is not a role (${CLIENT_ROLES.join(', ')})`);
    else if (contract !== FULL && !known.includes(contract)) problems.push(`CONTRACT_ROLES: ${role}=${contract} names no contract (${[...known, FULL].join(', ')})`);
    else if (contract === FULL) delete roles[role];
    else roles[role] = contract;
  }
  return roles;
}

/** How many validated documents each contract remembers (by query hash) until the next supergraph. */
const VALIDATION_CACHE_SIZE = 1000;
const INTROSPECTION_FIELDS = new Set(['__schema', '__type']);

/** What one contract serves right now: its schema, or why it has none. */
type Served = { schema: GraphQLSchema; validated: Map<string, readonly GraphQLError[]> } | { error: string };

/**
 * The root `__schema`/`__type` selections of the operation (through fragments), as a document of their
 * own, or null when it has none: what is answered again from the contract schema.
 */
export function introspectionPart(document: DocumentNode, operationName: string | null | undefined): DocumentNode | null {
  const operation = getOperationAST(document, operationName);
  if (!operation || operation.operation !== 'query') return null;
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
  const keep = (selections: readonly SelectionNode[]): SelectionNode[] =>
    selections.flatMap((s): SelectionNode[] => {
      if (s.kind === Kind.FIELD) return INTROSPECTION_FIELDS.has(s.name.value) ? [s] : [];
      const fragment = s.kind === Kind.FRAGMENT_SPREAD ? fragments.get(s.name.value) : s;
      if (!fragment) return [];
      const inner = keep(fragment.selectionSet.selections);
      return inner.length ? [{ kind: Kind.INLINE_FRAGMENT, typeCondition: fragment.typeCondition, directives: s.directives, selectionSet: { kind: Kind.SELECTION_SET, selections: inner } }] : [];
    });
  const selections = keep(operation.selectionSet.selections);
  if (!selections.length) return null;
  return { kind: Kind.DOCUMENT, definitions: [{ ...operation, selectionSet: { kind: Kind.SELECTION_SET, selections } }, ...fragments.values()] };
}

/** A refusal with the code and status Apollo Server gives a document that fails validation. */
function validationError(error: GraphQLError): GraphQLError {
  return new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
}

export function contractsFeature(opts: { roles?: ContractRoles } = {}): GatewayFeature {
  const roles = opts.roles ?? DEFAULT_CONTRACT_ROLES;
  const used = CONTRACTS.filter((c) => Object.values(roles).includes(c.name));
  const served = new Map<string, Served>();

  const contractOf = (identity: Identity | null | undefined): ContractDefinition | undefined => {
    const name = identity && isClientRole(identity.role) ? roles[identity.role] : undefined;
    return name ? used.find((c) => c.name === name) : undefined;
  };

  /** The contract's validation errors for a document, remembered by query hash. */
  const contractErrors = (entry: Extract<Served, { schema: GraphQLSchema }>, document: DocumentNode, queryHash: string | undefined): readonly GraphQLError[] => {
    const cached = queryHash ? entry.validated.get(queryHash) : undefined;
    if (cached) return cached;
    const errors = validate(entry.schema, document, specifiedRules).map(validationError);
    if (queryHash) {
      if (entry.validated.size >= VALIDATION_CACHE_SIZE) entry.validated.delete(entry.validated.keys().next().value!);
      entry.validated.set(queryHash, errors);
    }
    return errors;
  };

  const plugin: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart({ contextValue }) {
      const contract = contractOf(contextValue.identity);
      if (!contract) return;
      const entry = served.get(contract.name) ?? { error: 'no supergraph yet' };
      if ('error' in entry) {
        return {
          async didResolveOperation() {
            // Masked as an internal error (with the request id); the log said why when the supergraph arrived.
            throw new GraphQLError(`the ${contract.name} contract is not available: ${entry.error}`, { extensions: { http: { status: 503 } } });
          },
        };
      }
      let refused: readonly GraphQLError[] = [];
      return {
        async validationDidStart({ document }) {
          return async (errors) => {
            if (!errors?.length) return;
            const own = validate(entry.schema, document, specifiedRules);
            // The array Apollo reports is this one (its own "disable suggestions" plugin edits it the same way).
            const reported = errors as GraphQLError[];
            if (own.length) reported.splice(0, reported.length, ...own);
            else for (const e of reported) e.message = e.message.replace(/ ?Did you mean(.+?)\?$/, '');
          };
        },
        async didResolveOperation({ document, queryHash, metrics }) {
          refused = contractErrors(entry, document, queryHash);
          // Apollo registers a new persisted query after this hook: a refused one is not registered.
          if (refused.length) metrics.persistedQueryRegister = false;
        },
        async responseForOperation() {
          if (!refused.length) return null;
          return { http: { status: 400, headers: new HeaderMap() }, body: { kind: 'single', singleResult: { errors: refused.map((e) => e.toJSON()) } } };
        },
        async willSendResponse({ document, request, response }) {
          if (refused.length || !document || response.body.kind !== 'single' || !response.body.singleResult.data) return;
          const part = introspectionPart(document, request.operationName);
          if (!part) return;
          const answer = await execute({ schema: entry.schema, document: part, variableValues: request.variables, operationName: request.operationName });
          Object.assign(response.body.singleResult.data, answer.data ?? {});
        },
      };
    },
  };

  return {
    name: 'contracts',
    plugins: [plugin],
    onSchemaChange(apiSchema, supergraphSdl) {
      for (const contract of used) {
        try {
          served.set(contract.name, { schema: contractApiSchema(supergraphSdl, contract, apiSchema), validated: new Map() });
        } catch (err) {
          served.set(contract.name, { error: (err as Error).message });
          logger.error({ service: 'gateway', contract: contract.name }, `the ${contract.name} contract cannot be built from the new supergraph, so its callers are refused: ${(err as Error).message}`);
        }
      }
    },
  };
}
