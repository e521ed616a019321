/**
 * The admin routes that hand out and take back access (README "Schema registry", "Credentials and grants"):
 * registry keys (`/v1/keys`) and grants of subgraph names to organisations (`/v1/grants`), and `GET /v1/me`,
 * where any credential learns what it is and, for a partner, which names it holds. `api.ts` adds
 * them to its table; their bodies are checked like every other route's, each refusal naming the field.
 */
import type { IncomingMessage } from 'node:http';
import type { Db } from '../platform/db';
import { logger } from '../platform/logger';
import type { Caller } from './access';
import { createKey, KEY_KINDS, KEY_PREFIX, listKeys, ORG_NAME, revokeKey, type KeyKind } from './credentials';
import { grantName, liveGrants, revokeGrant } from './grants';
import { bad, onlyFields, readJsonObject, RegistryError, subgraphName } from './requests';

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

/** `POST /v1/grants` and `POST /v1/grants/revoke` body: `{ org, name }`. */
function grantRequest(body: Record<string, unknown>): { org: string; name: string } {
  onlyFields(body, ['org', 'name']);
  return { org: orgName(body.org), name: subgraphName(body.name) };
}

export function credentialRoutes(db: Db, maxBodyBytes: number): AdminRoute[] {
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
        const { org, name } = grantRequest(await body(req));
        const outcome = await grantName(db, name, org, caller.principal);
        if (outcome.status === 'held-by-other') {
          throw new RegistryError(409, 'CONFLICT', `the subgraph name ${name} is granted to ${outcome.grant.org}; revoke that grant first (ungrant --org ${outcome.grant.org} --name ${name}) to give it to ${org}`);
        }
        if (outcome.status === 'unchanged') return { status: 200, body: { granted: false, unchanged: true, grant: outcome.grant } };
        logger.info({ service: 'registry', by: caller.principal, org, name }, 'subgraph name granted');
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
        const { org, name } = grantRequest(await body(req));
        const revoked = await revokeGrant(db, name, org, caller.principal);
        if (!revoked) throw new RegistryError(404, 'NOT_FOUND', `the organisation ${org} holds no grant of ${name}; nothing was changed`);
        logger.info({ service: 'registry', by: caller.principal, org, name }, 'subgraph grant revoked');
        return { status: 200, body: { revoked: true, grant: revoked } };
      },
    },
  ];
}
