/**
 * Apollo Router's external coprocessor for the `SubgraphRequest` stage: what the Node gateway's identity
 * forwarding does (`features/identity-forwarding.ts`), for a deployment where Apollo Router is the gateway.
 *
 * The router POSTs one JSON object per subgraph request (`{ version: 1, stage: "SubgraphRequest",
 * control: "continue", id, headers, body, context, serviceName, … }`) and takes back the same object with
 * the fields it may change. Here that is `headers`: the caller, taken from the claims the router's JWT
 * authentication verified (`context.entries["apollo::authentication::jwt_claims"]`; none: anonymous) and
 * mapped exactly as the gateway maps a client token (`identityFromClaims`), is signed with the gateway's
 * signer for `serviceName`, bound to the request body as given — `x-autograph-identity` for our subgraphs,
 * `Authorization: Bearer` for a partner's — and any copy a client sent is dropped.
 *
 * Why it refuses rather than continues on anything it does not understand: a subgraph request the
 * coprocessor could not sign would reach the subgraph unsigned (refused there) or, worse, with a client's
 * own header. So a payload that is not JSON, too large, of another stage or version, or whose body is not
 * a GraphQL request gets an HTTP 400 (413 for size) with `control: { break: 500 }`; claims that name no
 * caller of this graph get `control: { break: 401 }` (the client's token is the problem, as the gateway's 401).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLarge, readBody, sendJson, type Route } from '../platform/http';
import { IDENTITY_HEADER, type Identity } from '../platform/identity';
import { REQUEST_ID_HEADER } from '../platform/logger';
import { ClaimsError, identityFromClaims } from './auth';
import { JWKS_PATH } from './features/identity-forwarding';
import type { SubgraphTokenSigner } from './subgraph-tokens';

/** Where Router 2.x (`context: all`) puts the claims its JWT authentication verified. */
export const JWT_CLAIMS_CONTEXT_KEY = 'apollo::authentication::jwt_claims';
export const COPROCESSOR_VERSION = 1;
export const SUBGRAPH_REQUEST_STAGE = 'SubgraphRequest';

export interface RouterCoprocessorOptions {
  signer: SubgraphTokenSigner;
  /** Our subgraphs (the tree's folders); any other service name is a partner's. */
  ownSubgraphs: readonly string[];
  /** The client tokens' audience (JWT_AUDIENCE): the router does not check it, so this does. */
  audience: string;
  /** Longest client token lifetime accepted (JWT_MAX_TTL_SECONDS): the router does not check it either. */
  maxTtlSeconds: number;
  /** Largest payload accepted, in bytes (MAX_BODY_BYTES, plus the headers and context the router adds). */
  maxBodyBytes: number;
}

/** A payload the coprocessor will not answer `continue` to: HTTP status, and why. */
class Refusal extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

type Payload = Record<string, unknown> & { headers?: Record<string, string[]>; body?: unknown; context?: { entries?: Record<string, unknown> } };

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The payload, checked for everything signing depends on. */
function parsePayload(text: string): Payload {
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    throw new Refusal(400, 'the coprocessor request is not JSON: Apollo Router sends one JSON object per stage');
  }
  if (!isObject(payload)) throw new Refusal(400, 'the coprocessor request must be a JSON object');
  if (payload.version !== COPROCESSOR_VERSION) throw new Refusal(400, `coprocessor protocol version ${JSON.stringify(payload.version)} is not supported: this coprocessor speaks version ${COPROCESSOR_VERSION}`);
  if (payload.stage !== SUBGRAPH_REQUEST_STAGE) throw new Refusal(400, `stage ${JSON.stringify(payload.stage)} is not handled: configure this coprocessor for coprocessor.subgraph.all.request only`);
  if (typeof payload.serviceName !== 'string' || payload.serviceName === '') throw new Refusal(400, 'the SubgraphRequest has no serviceName: set `service_name: true` in coprocessor.subgraph.all.request');
  if (payload.headers !== undefined && (!isObject(payload.headers) || !Object.values(payload.headers).every((v) => Array.isArray(v) && v.every((s) => typeof s === 'string')))) {
    throw new Refusal(400, 'the SubgraphRequest headers must be an object of header name to an array of strings');
  }
  if (payload.context !== undefined && (!isObject(payload.context) || (payload.context.entries !== undefined && !isObject(payload.context.entries)))) {
    throw new Refusal(400, 'the SubgraphRequest context must be an object with an `entries` object');
  }
  return payload as Payload;
}

/** The subgraph request's body as parsed: what the token is bound to (the router may send it as a string). */
function operationOf(body: unknown): Record<string, unknown> {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new Refusal(400, 'the SubgraphRequest body is a string that is not JSON');
    }
  }
  if (!isObject(parsed) || typeof parsed.query !== 'string') throw new Refusal(400, 'the SubgraphRequest has no GraphQL body ({ query, variables, operationName }): set `body: true` in coprocessor.subgraph.all.request');
  return parsed;
}

/** The caller the verified claims name (null: no claims, an anonymous caller), or a ClaimsError. */
function callerOf(payload: Payload, opts: RouterCoprocessorOptions): Identity | null {
  const claims = payload.context?.entries?.[JWT_CLAIMS_CONTEXT_KEY];
  if (claims === undefined || claims === null) return null;
  if (!isObject(claims)) throw new ClaimsError('the verified JWT claims in the context are not an object');
  const aud = claims.aud;
  if (!(aud === opts.audience || (Array.isArray(aud) && aud.includes(opts.audience)))) throw new ClaimsError(`token is not for this graph: its "aud" is not ${JSON.stringify(opts.audience)} (JWT_AUDIENCE)`);
  return identityFromClaims(claims, opts.maxTtlSeconds);
}

/** The headers to send on: the client's copies of ours removed, names lower-cased, the signed token added. */
function signedHeaders(given: Record<string, string[]>, own: boolean, token: string): Record<string, string[]> {
  const dropped = new Set([IDENTITY_HEADER, 'authorization', ...(own ? [] : [REQUEST_ID_HEADER])]);
  const out: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(given)) if (!dropped.has(name.toLowerCase())) out[name.toLowerCase()] = values;
  if (own) out[IDENTITY_HEADER] = [token];
  else out.authorization = [`Bearer ${token}`];
  return out;
}

function refuse(res: ServerResponse, payload: unknown, status: number, breakWith: number, message: string, code: string): void {
  const base = isObject(payload) ? payload : { version: COPROCESSOR_VERSION, stage: SUBGRAPH_REQUEST_STAGE };
  sendJson(res, status, { ...base, control: { break: breakWith }, body: { errors: [{ message, extensions: { code } }] } });
}

/** The coprocessor's HTTP handler: `POST /` (the stage), `GET /.well-known/jwks.json`, `GET /health`. */
export function routerCoprocessor(opts: RouterCoprocessorOptions): Route {
  const own = new Set(opts.ownSubgraphs);
  return async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === JWKS_PATH) {
      res.setHeader('cache-control', 'public, max-age=300');
      return sendJson(res, 200, opts.signer.jwks());
    }
    if (req.method === 'GET' && path === '/health') return sendJson(res, 200, { status: 'ok' });
    if (req.method !== 'POST') return sendJson(res, 405, { errors: [{ message: `${req.method} ${path} is not served: the router POSTs its stages, GET serves ${JWKS_PATH} and /health`, extensions: { code: 'METHOD_NOT_ALLOWED' } }] });
    let payload: Payload | undefined;
    try {
      payload = parsePayload(await readBody(req, opts.maxBodyBytes));
      const operation = operationOf(payload.body);
      const service = payload.serviceName as string;
      let caller: Identity | null;
      try {
        caller = callerOf(payload, opts);
      } catch (err) {
        if (!(err instanceof ClaimsError)) throw err;
        return refuse(res, payload, 200, 401, err.message, 'UNAUTHENTICATED');
      }
      const token = await opts.signer.sign(caller, service, operation);
      sendJson(res, 200, { ...payload, control: 'continue', headers: signedHeaders(payload.headers ?? {}, own.has(service), token) });
    } catch (err) {
      if (err instanceof BodyTooLarge) return refuse(res, undefined, 413, 500, `the coprocessor request is larger than ${opts.maxBodyBytes} bytes`, 'PAYLOAD_TOO_LARGE');
      if (err instanceof Refusal) return refuse(res, payload, err.status, 500, err.message, 'BAD_COPROCESSOR_REQUEST');
      return refuse(res, payload, 500, 500, 'the coprocessor could not sign this subgraph request', 'INTERNAL_SERVER_ERROR');
    }
  };
}
