/**
 * What the bench asks: (i) the README's headline request with every `paidFor` link, for many different
 * users (one token each, rotating), and (ii) a public catalog browse, anonymous: models → trims, colours,
 * packages. Each request's expected answer is taken once from a reference gateway before any timed run,
 * and every answer of the timed runs is compared with it.
 */
import { isDeepStrictEqual } from 'node:util';
import { mintToken } from '../../gateway/auth';
import { HEADLINE_QUERY } from '../../gateway/headline-query';
import { seedUsers } from '../../subgraphs/kit/seed';
import type { WorkloadName } from './targets';

export const CATALOG_QUERY = `query CatalogBrowse {
  models(first: 20) {
    edges { node { id name segment manufacturerOrg guidePriceFrom { amount currency }
      trims { id name guidePrice { amount currency } rangeKm batteryKwh batteryOption swapCapable available batteryRentalMonthlyFee { amount } } } }
    pageInfo { hasNextPage endCursor }
  }
  colours { id name hex surcharge { amount currency } }
  packages { id code name price { amount currency } includes }
}`;

export interface BenchRequest {
  /** Who asks, for messages: a user id or `anonymous`. */
  who: string;
  headers: Record<string, string>;
  body: string;
}

export interface Workload {
  name: WorkloadName;
  description: string;
  requests: BenchRequest[];
}

export async function buildWorkloads(opts: { users: number; jwt: { issuer: string; audience: string; secret: string } }): Promise<Workload[]> {
  const users = seedUsers(opts.users);
  const headline = await Promise.all(
    users.map(async (sub) => ({
      who: sub,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await mintToken(opts.jwt, { sub, role: 'customer' })}` },
      body: JSON.stringify({ query: HEADLINE_QUERY, operationName: 'MySpending', variables: { first: 10 } }),
    })),
  );
  return [
    { name: 'headline', description: `headline request with every link, ${users.length} users rotating`, requests: headline },
    {
      name: 'catalog',
      description: 'catalog browse, anonymous (models → trims, colours, packages)',
      requests: [{ who: 'anonymous', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: CATALOG_QUERY, operationName: 'CatalogBrowse' }) }],
    },
  ];
}

/** Sends one request of a workload; its status and body text. */
export async function send(url: string, request: BenchRequest): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { method: 'POST', headers: request.headers, body: request.body });
  return { status: res.status, text: await res.text() };
}

/**
 * Why an answer is not the expected one, or undefined when it is: status 200, no errors, the same data (key
 * order aside: gateways may order an object's keys differently; lists keep their order).
 */
export function mismatch(status: number, text: string, expectedData: unknown): string | undefined {
  if (status !== 200) return `HTTP ${status}: ${text.slice(0, 300)}`;
  let body: { data?: unknown; errors?: unknown[] };
  try {
    body = JSON.parse(text);
  } catch {
    return `not JSON: ${text.slice(0, 300)}`;
  }
  if (body.errors?.length) return `errors: ${JSON.stringify(body.errors).slice(0, 300)}`;
  if (!isDeepStrictEqual(body.data, expectedData)) return `data differs: ${JSON.stringify(body.data).slice(0, 300)}`;
  return undefined;
}

/**
 * The expected data of every request, asked of the reference gateway `url` (a few at a time); refuses to
 * go on when the reference itself answers an error, since nothing could then be checked.
 */
export async function expectedAnswers(url: string, requests: BenchRequest[]): Promise<unknown[]> {
  const out: unknown[] = new Array(requests.length);
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const i = next++;
      const { status, text } = await send(url, requests[i]);
      const body = status === 200 ? (JSON.parse(text) as { data?: unknown; errors?: unknown[] }) : undefined;
      if (!body || body.errors?.length || body.data == null) throw new Error(`the reference gateway did not answer ${requests[i].who}'s request: HTTP ${status} ${text.slice(0, 500)}`);
      out[i] = body.data;
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return out;
}
