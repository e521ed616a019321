/**
 * The registry's trusted-document routes (README "Trusted documents"): a client app's manifest published
 * by its team's CI, listed, and read by gateways. `api.ts` adds them to its table.
 *  - Who: admins; a partner key whose organisation an admin granted the client (`POST …/grant`), for its
 *    own client only; gateway keys read. `access.requireClient` decides before anything is read or stored.
 *  - Publishing is additive: ids already stored for the client are kept as they are, new ones added, so a
 *    new app version never breaks an old install still sending its ids. A manifest with any wrong
 *    operation (`gateway/trusted-manifest.ts`) is refused whole, naming each operation, and stores nothing.
 *  - `GET /v1/documents` is what gateways poll: every client's flag and documents, with the revision as
 *    its ETag (304 while nothing changed).
 */
import type { IncomingMessage } from 'node:http';
import type { Db } from '../platform/db';
import { logger } from '../platform/logger';
import { CLIENT_NAME, ManifestError, readManifest } from '../gateway/trusted-manifest';
import type { Caller, RegistryAccess } from './access';
import { matchesEtag, ok } from './answers';
import { orgName } from './credential-routes';
import { documentClient, documentSnapshot, documentsOf, documentsRevision, grantClient, publishDocuments } from './document-store';
import { bad, onlyFields, readJsonObject, RegistryError } from './requests';

export function clientName(value: unknown, field = 'client'): string {
  if (typeof value !== 'string') throw bad(field, 'must be a string (the apollographql-client-name the app sends)');
  if (!CLIENT_NAME.test(value)) throw bad(field, `${JSON.stringify(value.slice(0, 60))} is not a client name: letters, digits, '.', '_' and '-', starting with a letter or digit, at most 100`);
  return value;
}

interface DocumentCall {
  req: IncomingMessage;
  query: URLSearchParams;
  params: string[];
  caller: Caller;
  publisher: string;
}

interface DocumentRoute {
  method: 'GET' | 'POST';
  path: RegExp;
  access: 'gateway' | 'documents' | 'admin';
  handler: (call: DocumentCall) => Promise<Answer>;
}

type Answer = { status: number; body: unknown; headers?: Record<string, string> };

/** `POST /v1/documents/:client/publish` body: `{ manifest, safelist? }`. */
function publishRequest(body: Record<string, unknown>) {
  onlyFields(body, ['manifest', 'safelist']);
  if (body.safelist !== undefined && typeof body.safelist !== 'boolean') throw bad('safelist', 'must be true or false (left out: the client keeps its setting)');
  if (typeof body.manifest !== 'object' || body.manifest === null || Array.isArray(body.manifest)) {
    throw bad('manifest', `${body.manifest === undefined ? 'is required' : 'must be a JSON object'}: the manifest @apollo/generate-persisted-query-manifest (or Relay) wrote, as it is`);
  }
  try {
    return { documents: readManifest(body.manifest), safelist: body.safelist as boolean | undefined };
  } catch (err) {
    if (err instanceof ManifestError) throw bad('manifest', err.message);
    throw err;
  }
}

export function documentRoutes(db: Db, access: RegistryAccess, maxBodyBytes: number): DocumentRoute[] {
  return [
    {
      method: 'GET',
      path: /^\/v1\/documents$/,
      access: 'gateway',
      handler: async ({ req }): Promise<Answer> => {
        // The cheap revision first: a gateway polling an unchanged registry gets 304 without the documents read.
        const etag = `"${await documentsRevision(db)}"`;
        if (matchesEtag(req.headers['if-none-match'], etag)) return { status: 304, body: null, headers: { etag } };
        const snapshot = await documentSnapshot(db);
        return { ...ok(snapshot), headers: { etag: `"${snapshot.revision}"`, 'cache-control': 'no-cache' } };
      },
    },
    {
      method: 'GET',
      path: /^\/v1\/documents\/([^/]+)$/,
      access: 'documents',
      handler: async ({ params, query, caller }) => {
        const client = clientName(params[0]);
        const body = query.get('body');
        if (body !== null && body !== 'true' && body !== 'false') throw bad('body', 'must be true or false');
        await access.requireClient(caller, client, false);
        const found = await documentClient(db, client);
        if (!found) throw new RegistryError(404, 'NOT_FOUND', `client ${client} has published no trusted documents`);
        return ok({ client: found, documents: await documentsOf(db, client, body === 'true') });
      },
    },
    {
      method: 'POST',
      path: /^\/v1\/documents\/([^/]+)\/publish$/,
      access: 'documents',
      handler: async ({ req, params, caller, publisher }) => {
        const client = clientName(params[0]);
        await access.requireClient(caller, client, true);
        const { documents, safelist } = publishRequest(await readJsonObject(req, maxBodyBytes));
        const outcome = await db.tx((q) => publishDocuments(q, client, documents, safelist, publisher));
        logger.info({ service: 'registry', by: publisher, client, added: outcome.added.length, safelist: outcome.safelist }, 'trusted documents published');
        return ok({ client, ...outcome });
      },
    },
    {
      method: 'POST',
      path: /^\/v1\/documents\/([^/]+)\/grant$/,
      access: 'admin',
      handler: async ({ req, params, caller }) => {
        const client = clientName(params[0]);
        const body = await readJsonObject(req, maxBodyBytes);
        onlyFields(body, ['org']);
        const org = orgName(body.org);
        const outcome = await db.tx((q) => grantClient(q, client, org, caller.principal));
        if (!outcome.unchanged) logger.info({ service: 'registry', by: caller.principal, client, org, previous: outcome.previous }, 'client granted');
        return { status: outcome.unchanged ? 200 : 201, body: { client, granted: !outcome.unchanged, ...outcome } };
      },
    },
  ];
}
