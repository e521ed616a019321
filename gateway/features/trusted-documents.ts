/**
 * Feature: trusted documents (persisted operations registered by client apps) and safelisting, as
 * GraphOS persisted query lists, Hive app deployments and Cosmo persisted operations offer them.
 *  - A request with `extensions.persistedQuery.sha256Hash` and no query, from the client named in
 *    `apollographql-client-name`, runs that client's trusted document with that id. It is resolved in
 *    the plugin's `requestDidStart`, which Apollo Server 5 runs before its automatic-persisted-query
 *    lookup (`processGraphQLRequest` reads `request.query` after it): the document becomes the query and
 *    the `persistedQuery` extension is dropped, so the APQ cache is neither asked nor written.
 *  - TRUSTED_DOCUMENTS: `per-client` (default) holds clients whose manifest was registered with safelist
 *    on to it; `enforce` holds every request to the documents of the client it names (an unregistered or
 *    missing name gets nothing); `off` turns the feature off. Held requests get only documents of their
 *    client — by id, or by full text whose SHA-256 is one of them — and anything else is refused with
 *    PERSISTED_QUERY_NOT_IN_LIST (HTTP 403), before the text is parsed or validated.
 *  - A client name is a header anyone can send, so it never opens anything up: free-form operations
 *    are allowed past the safelist only for verified token roles (TRUSTED_DOCUMENTS_FREEFORM_ROLES,
 *    default `admin`), which an attacker cannot claim.
 * Documents come from the registry the gateway follows and/or manifest files (`trusted-documents-source.ts`);
 * `GET /health/trusted-documents` shows what is served and whether the registry and files load.
 */
import type { ApolloServerPlugin, GraphQLRequest } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { wholeNumber } from '../../platform/env';
import { sendJson } from '../../platform/http';
import { CLIENT_ROLES, isClientRole, type ClientRole } from '../../platform/identity';
import type { GatewayContext, GatewayFeature } from '../feature';
import { documentSource, readManifestFile, type DocumentSet, type ManifestFile } from '../trusted-documents-source';
import { CLIENT_NAME, sha256Hex } from '../trusted-manifest';

export const TRUSTED_DOCUMENTS_MODES = ['off', 'per-client', 'enforce'] as const;
export type TrustedDocumentsMode = (typeof TRUSTED_DOCUMENTS_MODES)[number];

export interface TrustedDocumentsSettings {
  /** TRUSTED_DOCUMENTS. */
  mode: TrustedDocumentsMode;
  /** TRUSTED_DOCUMENTS_FILES: `client=path` pairs. */
  files: ManifestFile[];
  /** TRUSTED_DOCUMENTS_SAFELIST: clients whose file manifests are safelists. */
  safelistClients: string[];
  /** TRUSTED_DOCUMENTS_FREEFORM_ROLES: verified roles that may send operations outside any list. */
  freeformRoles: ClientRole[];
  /** TRUSTED_DOCUMENTS_POLL_MS: how often the registry and the files are looked at again. */
  pollMs: number;
}

export const CLIENT_NAME_HEADER = 'apollographql-client-name';
const DEFAULT_FREEFORM_ROLES: ClientRole[] = ['admin'];
const DEFAULT_POLL_MS = 2000;

const list = (raw: string | undefined) => (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);

/** Reads TRUSTED_DOCUMENTS*; every manifest file is read now, so a bad one stops start-up naming its problems. */
export function readTrustedDocumentsSettings(env: NodeJS.ProcessEnv, problems: string[]): TrustedDocumentsSettings {
  const rawMode = env.TRUSTED_DOCUMENTS || 'per-client';
  const mode = (TRUSTED_DOCUMENTS_MODES as readonly string[]).includes(rawMode) ? (rawMode as TrustedDocumentsMode) : 'per-client';
  if (mode !== rawMode) problems.push(`TRUSTED_DOCUMENTS=${JSON.stringify(rawMode)} must be ${TRUSTED_DOCUMENTS_MODES.join(', ')}`);
  const files: ManifestFile[] = [];
  for (const pair of list(env.TRUSTED_DOCUMENTS_FILES)) {
    const m = /^([^=]+)=(.+)$/.exec(pair);
    if (!m || !CLIENT_NAME.test(m[1].trim())) {
      problems.push(`TRUSTED_DOCUMENTS_FILES: ${JSON.stringify(pair)} is not client=path (a client name: letters, digits, '.', '_', '-'; e.g. web=manifests/web.json)`);
      continue;
    }
    const file = { client: m[1].trim(), path: m[2].trim() };
    try {
      readManifestFile(file);
      files.push(file);
    } catch (err) {
      problems.push(`TRUSTED_DOCUMENTS_FILES: ${(err as Error).message}`);
    }
  }
  const safelistClients = list(env.TRUSTED_DOCUMENTS_SAFELIST);
  for (const c of safelistClients) if (!files.some((f) => f.client === c)) problems.push(`TRUSTED_DOCUMENTS_SAFELIST: ${JSON.stringify(c)} has no manifest in TRUSTED_DOCUMENTS_FILES`);
  const rawRoles = env.TRUSTED_DOCUMENTS_FREEFORM_ROLES;
  const freeformRoles = rawRoles === undefined ? DEFAULT_FREEFORM_ROLES : list(rawRoles).filter((r): r is ClientRole => isClientRole(r));
  for (const r of list(rawRoles)) if (!isClientRole(r)) problems.push(`TRUSTED_DOCUMENTS_FREEFORM_ROLES: ${JSON.stringify(r)} is not a role (${CLIENT_ROLES.join(', ')})`);
  return { mode, files, safelistClients, freeformRoles, pollMs: wholeNumber(env, 'TRUSTED_DOCUMENTS_POLL_MS', DEFAULT_POLL_MS, 100, 600_000, problems) };
}

/**
 * What a refused request runs instead of its own text: nothing of the refused text is parsed or validated
 * (no "Did you mean" tells an attacker about the schema), and the refusal is thrown from
 * `didResolveOperation`, the first hook whose errors Apollo answers as GraphQL errors with their status.
 */
const REFUSED_PLACEHOLDER = '{ __typename }';

function notInList(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'PERSISTED_QUERY_NOT_IN_LIST', http: { status: 403 } } });
}

/** Drops `extensions.persistedQuery`, so Apollo's APQ neither looks the hash up nor registers the text. */
function withoutPersistedQuery(request: GraphQLRequest): void {
  if (!request.extensions) return;
  const { persistedQuery: _dropped, ...rest } = request.extensions;
  request.extensions = rest;
}

export async function trustedDocumentsFeature(opts: { settings: TrustedDocumentsSettings; registry?: { url: string; token: string } }): Promise<GatewayFeature> {
  const { settings } = opts;
  let documents: DocumentSet = new Map();
  const source = documentSource({
    registry: opts.registry,
    files: settings.files,
    safelistClients: settings.safelistClients,
    pollMs: settings.pollMs,
    onChange: (next) => {
      documents = next;
    },
  });
  // The first load before the first request: a gateway that cannot reach the registry starts with what
  // the files hold (in enforce mode that refuses everyone but free-form roles until the registry answers).
  await source.refresh();

  const refusal = (client: string, hash: string | undefined, query: string | undefined): GraphQLError => {
    const known = documents.get(client);
    const what = query !== undefined ? `this operation (SHA-256 ${sha256Hex(query)})` : `the document ${hash}`;
    if (!known) {
      const named = client ? `the client ${JSON.stringify(client)} (${CLIENT_NAME_HEADER}) has no trusted documents` : `the request names no client (send ${CLIENT_NAME_HEADER})`;
      return notInList(`TRUSTED_DOCUMENTS=enforce: only registered clients' trusted documents are served, and ${named}; ${what} was not run`);
    }
    return notInList(`${what} is not one of the ${known.documents.size} trusted documents of the client ${JSON.stringify(client)}, which may run only those (register it with npm run schema -- documents publish); it was not run`);
  };

  /**
   * What the list says of one request: run a trusted document by its id, let it through, or refuse it.
   * Judged the same for a request Apollo runs and for a whole cached answer served before Apollo.
   */
  const verdict = (client: string, query: string | undefined, extensions: Record<string, unknown> | undefined, context: GatewayContext) => {
    const own = documents.get(client);
    const persisted = extensions?.persistedQuery as { sha256Hash?: unknown } | undefined;
    const hash = typeof persisted?.sha256Hash === 'string' ? persisted.sha256Hash : undefined;
    if (query === undefined && hash !== undefined) {
      const body = own?.documents.get(hash);
      if (body !== undefined) return { trusted: body };
    }
    const held = settings.mode === 'enforce' || own?.safelist === true;
    const role = context.identity?.role;
    if (!held || (role !== undefined && isClientRole(role) && settings.freeformRoles.includes(role))) return {};
    // An empty request is left to Apollo's own refusal.
    if (query === undefined && hash === undefined) return {};
    // Full text is judged by its own hash, never by the hash sent beside it.
    if (query !== undefined && own?.documents.has(sha256Hex(query))) return {};
    return { refused: refusal(client, hash, query) };
  };

  const plugin: ApolloServerPlugin<GatewayContext> = {
    // Not async before its changes: they are made while Apollo calls the hook, before it reads the request.
    requestDidStart({ request, contextValue }) {
      const judged = verdict(request.http?.headers.get(CLIENT_NAME_HEADER) ?? '', request.query, request.extensions, contextValue);
      if (judged.trusted !== undefined) {
        request.query = judged.trusted;
        withoutPersistedQuery(request);
        return Promise.resolve();
      }
      if (!judged.refused) return Promise.resolve();
      const error = judged.refused;
      request.query = REFUSED_PLACEHOLDER;
      request.operationName = undefined;
      request.variables = undefined;
      withoutPersistedQuery(request);
      return Promise.resolve({
        async didResolveOperation() {
          throw error;
        },
      });
    },
  };

  return {
    name: 'trusted-documents',
    plugins: [plugin],
    admitEarlyAnswer(_answer, { req, body, context }) {
      const client = req.headers[CLIENT_NAME_HEADER];
      const judged = verdict(typeof client === 'string' ? client : '', body.query, body.extensions, context);
      if (judged.refused) throw judged.refused;
    },
    routes: () => ({
      '/health/trusted-documents': (_req, res) => {
        const status = source.status();
        const failing = status.registry?.reachable === false || status.files.some((f) => f.lastError !== null);
        sendJson(res, 200, {
          status: failing ? 'degraded' : 'ok',
          mode: settings.mode,
          clients: [...documents].map(([name, c]) => ({ name, safelist: c.safelist, documents: c.documents.size })),
          ...status,
        });
      },
    }),
    async close() {
      source.close();
    },
  };
}
