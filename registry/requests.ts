/**
 * What the registry's API accepts, checked before anything runs: a JSON object body within the size limit,
 * only the fields a route knows, each of the right type — every refusal a `RegistryError` naming the field.
 * Subgraph names follow the tree's rule, routing URLs are http(s), and SDL must parse.
 */
import type { IncomingMessage } from 'node:http';
import { GraphQLError, parse } from 'graphql';
import { BodyTooLarge, readBody } from '../platform/http';
import { isSubgraphName } from '../platform/subgraph-name';
import type { Candidate } from './check';
import { MAX_USAGE_DAYS } from './usage-impact';

/** A refused request: HTTP status, a code, a message a person can act on, and the field it is about. */
export class RegistryError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const bad = (field: string, message: string) => new RegistryError(400, 'BAD_USER_INPUT', `${field}: ${message}`, field);

/** The request body as a JSON object. 413 past `limit`, 400 for anything that is not a JSON object. */
export async function readJsonObject(req: IncomingMessage, limit: number): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readBody(req, limit);
  } catch (err) {
    if (err instanceof BodyTooLarge) throw new RegistryError(413, 'PAYLOAD_TOO_LARGE', `the request body is larger than ${limit} bytes`);
    throw err;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new RegistryError(400, 'BAD_REQUEST', `the request body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new RegistryError(400, 'BAD_REQUEST', 'the request body must be a JSON object');
  return body as Record<string, unknown>;
}

/** Refuses fields a route does not know (a misspelt `allowBreaking` must not be ignored). */
export function onlyFields(body: Record<string, unknown>, known: readonly string[], prefix = ''): void {
  for (const key of Object.keys(body)) if (!known.includes(key)) throw bad(`${prefix}${key}`, `is not a field of this request (fields: ${known.join(', ')})`);
}

export function subgraphName(value: unknown, field = 'name'): string {
  if (typeof value !== 'string') throw bad(field, 'must be a string');
  if (!isSubgraphName(value)) throw bad(field, `${JSON.stringify(value.slice(0, 60))} is not a subgraph name: lower case letters, digits and _, starting with a letter, at most 40`);
  return value;
}

export function routingUrl(value: unknown, field = 'url'): string {
  if (typeof value !== 'string') throw bad(field, 'must be a string (the http(s) URL the gateway sends this subgraph its fetches at)');
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw bad(field, `${JSON.stringify(value.slice(0, 200))} is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw bad(field, `must be an http or https URL, not ${u.protocol}`);
  if (value.length > 2048) throw bad(field, 'is longer than 2048 characters');
  // The registry and every gateway fetch this URL: credentials in it would sit in every supergraph and log,
  // and a link-local address is a cloud's instance metadata service, never a subgraph.
  if (u.username || u.password) throw bad(field, 'must not carry a user name or password (the gateway authenticates itself to subgraphs)');
  const host = u.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (/^169\.254\./.test(host) || /^fe[89ab][0-9a-f]:/.test(host) || host === '0.0.0.0' || host === '::') {
    throw bad(field, `${host} is a link-local or unspecified address, not one a subgraph is served at`);
  }
  return value;
}

function optionalBoolean(value: unknown, field: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw bad(field, 'must be true or false');
  return value;
}

/** Where a check composes a new name offered without a URL: the reserved `.invalid` domain (RFC 2606) never resolves. */
export const UNROUTED_URL = 'http://unpublished.invalid/graphql';

/** A candidate from `{ schema, url }` fields; the SDL must parse. `url` may be left out only for a check. */
function candidate(name: string, body: Record<string, unknown>, prefix: string, fallbackUrl: string | undefined): Candidate {
  const { schema, url } = body;
  if (typeof schema !== 'string') throw bad(`${prefix}schema`, "must be a string (the subgraph's SDL)");
  if (schema.trim() === '') throw bad(`${prefix}schema`, 'is empty');
  let typeDefs;
  try {
    typeDefs = parse(schema);
  } catch (err) {
    const e = err as GraphQLError;
    const at = e.locations?.[0] ? ` (line ${e.locations[0].line}, column ${e.locations[0].column})` : '';
    throw bad(`${prefix}schema`, `does not parse: ${e.message}${at}`);
  }
  if (url === undefined && fallbackUrl === undefined) throw bad(`${prefix}url`, 'is required to publish: the http(s) URL the gateway routes to');
  return { name, sdl: schema, typeDefs, routingUrl: url === undefined ? fallbackUrl! : routingUrl(url, `${prefix}url`) };
}

/**
 * `usageDays` of a check or publish body: the usage window breaking changes are weighed against, a whole
 * number of days from 1 to `max`; `fallback` (REGISTRY_USAGE_DAYS) when left out.
 */
export function usageDaysOf(body: Record<string, unknown>, fallback: number, max = MAX_USAGE_DAYS): number {
  const { usageDays } = body;
  if (usageDays === undefined) return fallback;
  if (!(typeof usageDays === 'number' && Number.isInteger(usageDays) && usageDays >= 1 && usageDays <= max)) throw bad('usageDays', `${JSON.stringify(usageDays)} is not a number of days (a whole number from 1 to ${max})`);
  return usageDays;
}

/** `POST /v1/subgraphs/:name/check` body: `{ schema, url?, usageDays? }` (`usageDays`: `usageDaysOf`). */
export function checkRequest(name: string, body: Record<string, unknown>, currentUrl: string | undefined): Candidate {
  onlyFields(body, ['schema', 'url', 'usageDays']);
  return candidate(name, body, '', currentUrl ?? UNROUTED_URL);
}

/** `POST /v1/subgraphs/:name/publish` body: `{ schema, url, allowBreaking?, usageDays? }`. */
export function publishRequest(name: string, body: Record<string, unknown>): { candidates: Candidate[]; allowBreaking: boolean } {
  onlyFields(body, ['schema', 'url', 'allowBreaking', 'usageDays']);
  return { candidates: [candidate(name, body, '', undefined)], allowBreaking: optionalBoolean(body.allowBreaking, 'allowBreaking') };
}

/** `POST /v1/publish` body: `{ subgraphs: [{ name, schema, url }], allowBreaking? }` — several names as one change. */
export function batchPublishRequest(body: Record<string, unknown>): { candidates: Candidate[]; allowBreaking: boolean } {
  onlyFields(body, ['subgraphs', 'allowBreaking']);
  const list = body.subgraphs;
  if (!Array.isArray(list) || list.length === 0) throw bad('subgraphs', 'must be a non-empty array of { name, schema, url }');
  const seen = new Set<string>();
  const candidates = list.map((entry: unknown, i) => {
    const prefix = `subgraphs[${i}].`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw bad(`subgraphs[${i}]`, 'must be an object { name, schema, url }');
    const e = entry as Record<string, unknown>;
    onlyFields(e, ['name', 'schema', 'url'], prefix);
    const name = subgraphName(e.name, `${prefix}name`);
    if (seen.has(name)) throw bad(`${prefix}name`, `${name} is offered twice`);
    seen.add(name);
    return candidate(name, e, prefix, undefined);
  });
  return { candidates, allowBreaking: optionalBoolean(body.allowBreaking, 'allowBreaking') };
}

/** `POST /v1/subgraphs/:name/remove` body: `{ allowBreaking? }`. */
export function removeRequest(body: Record<string, unknown>): { allowBreaking: boolean } {
  onlyFields(body, ['allowBreaking']);
  return { allowBreaking: optionalBoolean(body.allowBreaking, 'allowBreaking') };
}

/** `POST /v1/subgraphs/:name/rollback` body: `{ to?, allowBreaking? }`; `to` a version number (1, 2, …). */
export function rollbackRequest(body: Record<string, unknown>): { to: number | undefined; allowBreaking: boolean } {
  onlyFields(body, ['to', 'allowBreaking']);
  const { to } = body;
  if (to !== undefined && !(typeof to === 'number' && Number.isSafeInteger(to) && to >= 1)) throw bad('to', `${JSON.stringify(to)} is not a version number (1, 2, …)`);
  return { to, allowBreaking: optionalBoolean(body.allowBreaking, 'allowBreaking') };
}
