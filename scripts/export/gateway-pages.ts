/**
 * Reads one page of a view through the gateway, as the analyst whose token it carries. The answers
 * a person must act on become an `ExportError` that says what to do: a refused token (UNAUTHENTICATED),
 * a role that may not read the view (FORBIDDEN), a gateway whose schema has no such field yet, a
 * gateway that cannot be reached. A network failure or a 5xx is tried again a few times before that.
 */
import { createHash } from 'node:crypto';
import { ExportError } from './errors';
import type { AnswerView, AskGraph, ExportView } from './view';

export interface PageRequest {
  first: number;
  after: string | null;
  partition: { index: number; count: number };
  from?: string;
  to?: string;
}

export interface ViewPage {
  nodes: unknown[];
  endCursor: string | null;
  hasNextPage: boolean;
  totalCount?: number;
}

export interface GatewayTarget {
  url: string;
  token: string;
}

interface GraphQLAnswer {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

/** Attempts for one page when the network fails or the gateway answers 5xx; then the export stops (resumable). */
const ATTEMPTS = 4;
const RETRY_BASE_MS = 250;
/** How often one page waits out the caller's rate limit (HTTP 429, Retry-After) before the export stops. */
const RATE_LIMIT_WAITS = 20;
const MAX_RETRY_AFTER_SECONDS = 60;

const MINT_HINT = 'mint a new one with `npm run -s token -- --sub <you> --role analyst` and pass it as --token or AUTOGRAPH_TOKEN';

export async function fetchViewPage(target: GatewayTarget, view: ExportView, request: PageRequest): Promise<ViewPage> {
  const period = view.takesPeriod ? { ...(request.from !== undefined ? { from: request.from } : {}), ...(request.to !== undefined ? { to: request.to } : {}) } : {};
  if (view.kind === 'answer') return answerPage(target, view, request.partition, period);
  // A bound not given is left out, not sent as null: in an input object an absent variable is an absent field.
  const data = await askGraph(target, view)(view.document, { first: request.first, after: request.after, partition: request.partition, ...period });
  const connection = data[view.field] as
    | { edges?: Array<{ cursor: string; node: unknown }>; pageInfo?: { hasNextPage: boolean; endCursor: string | null }; totalCount?: number }
    | null
    | undefined;
  if (!connection?.edges || !connection.pageInfo) throw new ExportError('page', `the gateway answered without ${view.field}.edges/pageInfo`);
  return {
    nodes: connection.edges.map((e) => e.node),
    endCursor: connection.pageInfo.endCursor ?? connection.edges.at(-1)?.cursor ?? null,
    hasNextPage: connection.pageInfo.hasNextPage,
    ...(typeof connection.totalCount === 'number' ? { totalCount: connection.totalCount } : {}),
  };
}

/** Which of `count` partitions a row with this key goes to: the same for the same key in every run. */
export function partitionOfKey(key: string, count: number): number {
  return createHash('sha256').update(key).digest().readUInt32BE(0) % count;
}

/** An aggregate view is one page per partition: the whole answer, this partition's rows of it. */
async function answerPage(target: GatewayTarget, view: AnswerView, partition: PageRequest['partition'], period: { from?: string; to?: string }): Promise<ViewPage> {
  const rows = await view.rows(askGraph(target, view), period);
  const mine = partition.count === 1 ? rows : rows.filter((row) => partitionOfKey(view.keyOf(row), partition.count) === partition.index);
  return { nodes: mine, endCursor: null, hasNextPage: false, totalCount: mine.length };
}

/** One request through the gateway for `view`: its data, or the refusal a person must act on. */
function askGraph(target: GatewayTarget, view: ExportView): AskGraph {
  return async (document, variables) => {
    const answer = await post(target, JSON.stringify({ query: document, variables }));
    if (answer.body.errors?.length) throw refusal(view, answer.body.errors, answer.status);
    if (!answer.body.data) throw new ExportError('page', `the gateway answered ${view.name} without data (HTTP ${answer.status})`);
    return answer.body.data;
  };
}

async function post(target: GatewayTarget, body: string): Promise<{ status: number; body: GraphQLAnswer }> {
  let lastProblem = '';
  let waits = 0;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    if (attempt > 1) await new Promise((r) => setTimeout(r, RETRY_BASE_MS * 2 ** (attempt - 2)));
    let res: Response;
    try {
      res = await fetch(target.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${target.token}` },
        body,
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      lastProblem = `cannot reach the gateway at ${target.url} (${cause?.code ?? cause?.message ?? (err as Error).message}): is it running? (--gateway URL or AUTOGRAPH_GATEWAY_URL)`;
      continue;
    }
    if (res.status === 429 && waits < RATE_LIMIT_WAITS) {
      // A bulk pull spends the analyst's rate limit quickly: wait until the window allows more, then go on.
      await res.body?.cancel();
      const seconds = Math.min(Math.max(Number(res.headers.get('retry-after')) || 1, 1), MAX_RETRY_AFTER_SECONDS);
      waits += 1;
      attempt -= 1;
      await new Promise((r) => setTimeout(r, seconds * 1000));
      continue;
    }
    const text = await res.text();
    let parsed: GraphQLAnswer;
    try {
      parsed = JSON.parse(text) as GraphQLAnswer;
    } catch {
      lastProblem = `the gateway at ${target.url} answered HTTP ${res.status} with something that is not GraphQL JSON: ${text.slice(0, 120)}`;
      if (res.status >= 500) continue;
      throw new ExportError('unreachable', lastProblem);
    }
    // A 5xx without a GraphQL error code is the gateway (or a proxy) failing: worth another try.
    if (res.status >= 500 && !parsed.errors?.some((e) => e.extensions?.code && e.extensions.code !== 'INTERNAL_SERVER_ERROR')) {
      lastProblem = `the gateway at ${target.url} kept failing (HTTP ${res.status}: ${parsed.errors?.[0]?.message ?? 'no message'})`;
      continue;
    }
    return { status: res.status, body: parsed };
  }
  throw new ExportError('unreachable', lastProblem);
}

function refusal(view: ExportView, problems: NonNullable<GraphQLAnswer['errors']>, status: number): ExportError {
  // A missing root field comes with other validation errors (its argument types are unknown too): it explains them all.
  const missingField = new RegExp(`Cannot query field "${view.field}" on type "Query"`);
  if (problems.some((p) => missingField.test(p.message))) {
    // A partner's token sees the partner contract, which has no analyst view: the same answer as a view not composed.
    return new ExportError(
      'missing-view',
      `the ${view.name} view is not in the graph this token sees: the gateway's schema has no Query.${view.field} (exports need an analyst's token — a partner's sees only the partner contract; with an analyst's, is the subgraph that serves it composed into the supergraph?)`,
    );
  }
  const problem = problems[0];
  const code = problem.extensions?.code;
  if (code === 'UNAUTHENTICATED') return new ExportError('auth', `the gateway refused the token (${problem.message}): ${MINT_HINT}`);
  if (code === 'FORBIDDEN') return new ExportError('auth', `the token may not read the ${view.name} view (${problem.message}): exports need an analyst's token; ${MINT_HINT}`);
  return new ExportError('page', `the gateway answered a page of ${view.name} with ${code ?? `HTTP ${status}`}: ${problem.message}`);
}
