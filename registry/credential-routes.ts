/**
 * The admin routes that hand out and take back access (README "Schema registry", "Credentials and grants"):
 * registry keys (`/v1/keys`) and grants of subgraph names to organisations (`/v1/grants`), and `GET /v1/me`,
 * where any credential learns what it is and, for a partner, which names it holds. A grant never hands a
 * partner the graph's own subgraphs (`refuseGraphOwnName`). `api.ts` adds
 * them to its table; their bodies are checked like every other route's, each refusal naming the field.
 */
import type { IncomingMessage } from 'node:http';
import type { Db, Queryable } from '../platform/db';
import { logger } from '../platform/logger';
import type { Caller } from './access';
import { createKey, KEY_KINDS, KEY_PREFIX, listKeys, ORG_NAME, revokeKey, type KeyKind } from './credentials';
import type { DerivedSubgraph } from './derive';
import { grantName, liveGrants, revokeGrant } from './grants';
import { bad, onlyFields, readJsonObject, RegistryError, subgraphName } from './requests';
import { currentVersions, lockPublishing } from './store';

interface AdminCall {
  req: IncomingMessage;
  params: string[];
  caller: Caller;
}

interface AdminRoute {
  method: 'GET' | 'POST';
  path: RegExp;
  access: 'admin' | 'read';
  handler: (call: AdminCall) => Promise<{ status: number; body: unknown }>;
}

const LABEL_MAX = 200;

export function orgName(value: unknown, field = 'org'): string {
  if (typeof value !== 'string') throw bad(field, 'must be a string (the organisation, e.g. insurer-co)');
  if (!ORG_NAME.test(value)) throw bad(field, `${JSON.stringify(value.slice(0, 70))} is not an organisation name: lower case letters, digits and -, starting with a letter, at most 63`);
  return value;
}

function keyId(raw: string): string {
  if (raw.startsWith(KEY_PREFIX)) throw bad('id', `give the key's id (16 hex digits, as \`key list\` shows it), not the key itself`);
  if (!/^[0-9a-f]{16}$/.test(raw)) throw bad('id', `${JSON.stringify(raw.slice(0, 40))} is not a key id (16 hex digits)`);
  return raw;
}

/** `POST /v1/keys` body: `{ kind, org?, label? }`; `org` is required for a partner key and refused for the others. */
function keyRequest(body: Record<string, unknown>): { kind: KeyKind; org: string | null; label: string } {
  onlyFields(body, ['kind', 'org', 'label']);
  const { kind, org, label } = body;
  if (!(KEY_KINDS as readonly unknown[]).includes(kind)) throw bad('kind', `must be one of ${KEY_KINDS.join(', ')}${kind === undefined ? '' : `, not ${JSON.stringify(kind).slice(0, 40)}`}`);
  if (kind === 'partner' && org === undefined) throw bad('org', 'is required for a partner key: the organisation whose granted names it may publish');
  if (kind !== 'partner' && org !== undefined) throw bad('org', `belongs to partner keys only; a ${kind} key has no organisation`);
  if (label !== undefined) {
    if (typeof label !== 'string') throw bad('label', 'must be a string');
    if (label.length > LABEL_MAX) throw bad('label', `is longer than ${LABEL_MAX} characters`);
    if (/[\x00-\x1f\x7f]/.test(label)) throw bad('label', 'must not contain control characters');
  }
  return { kind: kind as KeyKind, org: kind === 'partner' ? orgName(org) : null, label: (label as string | undefined) ?? '' };
}

/** `POST /v1/grants/revoke` body: `{ org, name }`. */
function revokeGrantRequest(body: Record<string, unknown>): { org: string; name: string } {
  onlyFields(body, ['org', 'name']);
  return { org: orgName(body.org), name: subgraphName(body.name) };
}

/** `POST /v1/grants` body: `{ org, name, force? }`. */
function grantRequest(body: Record<string, unknown>): { org: string; name: string; force: boolean } {
  onlyFields(body, ['org', 'name', 'force']);
  if (body.force !== undefined && typeof body.force !== 'boolean') throw bad('force', 'must be true or false');
  return { org: orgName(body.org), name: subgraphName(body.name), force: body.force === true };
}

/** Whether a version's publisher is a partner key (`keyPrincipal`): anything else is the graph's own. */
const byPartner = (publisher: string) => publisher.startsWith('partner:');

/**
 * Refuses granting a name the graph itself serves: a derived subgraph's, always (403: the registry writes
 * it, and the spending merger receives every user's real id), and one whose current version was published
 * by an admin, a gateway key or `npm start` unless `force` (409: a partner holding it could replace it,
 * or remove it, and receive its traffic). Run holding the publish lock, so no publish slips in between.
 */
async function refuseGraphOwnName(q: Queryable, name: string, org: string, force: boolean, derived: readonly DerivedSubgraph[]): Promise<void> {
  if (derived.some((d) => d.name === name)) {
    throw new RegistryError(403, 'FORBIDDEN', `${name} is a derived subgraph: the registry writes it from the others, and it receives what they resolve (every user's real id); it can never be granted to an organisation (force does not apply); nothing was changed`);
  }
  if (force) return;
  const current = (await currentVersions(q)).find((v) => v.name === name);
  if (current && !byPartner(current.publisher)) {
    throw new RegistryError(409, 'CONFLICT', `${name} is one of the graph's own subgraphs: its current version v${current.version} was published by ${current.publisher}, not a partner key, and ${org}'s keys could replace or remove it and receive its traffic; nothing was changed (send force: true, npm run schema -- grant --force, to grant it anyway)`);
  }
}

export function credentialRoutes(db: Db, maxBodyBytes: number, derived: readonly DerivedSubgraph[] = []): AdminRoute[] {
  const body = (req: IncomingMessage) => readJsonObject(req, maxBodyBytes);
  return [
    {
      method: 'GET',
      path: /^\/v1\/me$/,
      access: 'read',
      handler: async ({ caller }) => {
        const { kind, principal, org, keyId } = caller;
        const grants = kind === 'partner' ? (await liveGrants(db, org)).map((g) => g.name) : undefined;
        return { status: 200, body: { kind, principal, ...(org ? { org } : {}), ...(keyId ? { keyId } : {}), ...(grants ? { grants } : {}) } };
      },
    },
    {
      method: 'POST',
      path: /^\/v1\/keys$/,
      access: 'admin',
      handler: async ({ req, caller }) => {
        const spec = keyRequest(await body(req));
        const created = await createKey(db, spec, caller.principal);
        logger.info({ service: 'registry', by: caller.principal, key: created.key.id, kind: spec.kind, org: spec.org }, 'registry key created');
        return { status: 201, body: created };
      },
    },
    {
      method: 'GET',
      path: /^\/v1\/keys$/,
      access: 'admin',
      handler: async () => ({ status: 200, body: { keys: await listKeys(db) } }),
    },
    {
      method: 'POST',
      path: /^\/v1\/keys\/([^/]+)\/revoke$/,
      access: 'admin',
      handler: async ({ req, params, caller }) => {
        const id = keyId(params[0]);
        onlyFields(await body(req), []);
        const outcome = await revokeKey(db, id, caller.principal);
        if (!outcome) throw new RegistryError(404, 'NOT_FOUND', `no registry key has the id ${id}`);
        if (!outcome.revokedNow) throw new RegistryError(409, 'CONFLICT', `the key ${id} was already revoked at ${outcome.key.revokedAt!.toISOString()} by ${outcome.key.revokedBy}; nothing was changed`);
        logger.info({ service: 'registry', by: caller.principal, key: id }, 'registry key revoked');
        return { status: 200, body: { revoked: true, key: outcome.key } };
      },
    },
    {
      method: 'POST',
      path: /^\/v1\/grants$/,
      access: 'admin',
      handler: async ({ req, caller }) => {
        const { org, name, force } = grantRequest(await body(req));
        const outcome = await db.tx(async (q) => {
          await lockPublishing(q);
          await refuseGraphOwnName(q, name, org, force, derived);
          return grantName(q, name, org, caller.principal);
        });
        if (outcome.status === 'held-by-other') {
          throw new RegistryError(409, 'CONFLICT', `the subgraph name ${name} is granted to ${outcome.grant.org}; revoke that grant first (ungrant --org ${outcome.grant.org} --name ${name}) to give it to ${org}`);
        }
        if (outcome.status === 'unchanged') return { status: 200, body: { granted: false, unchanged: true, grant: outcome.grant } };
        logger.info({ service: 'registry', by: caller.principal, org, name, force }, 'subgraph name granted');
        return { status: 201, body: { granted: true, grant: outcome.grant } };
      },
    },
    {
      method: 'GET',
      path: /^\/v1\/grants$/,
      access: 'admin',
      handler: async () => ({ status: 200, body: { grants: await liveGrants(db) } }),
    },
    {
      method: 'POST',
      path: /^\/v1\/grants\/revoke$/,
      access: 'admin',
      handler: async ({ req, caller }) => {
        const { org, name } = revokeGrantRequest(await body(req));
        const revoked = await revokeGrant(db, name, org, caller.principal);
        if (!revoked) throw new RegistryError(404, 'NOT_FOUND', `the organisation ${org} holds no grant of ${name}; nothing was changed`);
        logger.info({ service: 'registry', by: caller.principal, org, name }, 'subgraph grant revoked');
        return { status: 200, body: { revoked: true, grant: revoked } };
      },
    },
  ];
}
