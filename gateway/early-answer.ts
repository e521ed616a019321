/**
 * How the core answers a request at the HTTP front, before Apollo parses it: one feature finds a whole
 * answer (`answerEarly`: the whole-response cache), then every feature that judges operations in Apollo's
 * pipeline judges it again (`admitEarlyAnswer`: the safelist, the cost budget, the rest of the rate
 * limit), in list order, so that an answer served early is refused, charged and labelled exactly as the
 * operation would be. A refusal is written as Apollo writes a request error: its status and headers from
 * `extensions.http`, its body through the gateway's `formatError`.
 */
import type { ApolloServerOptionsWithGateway } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';
import type { EarlyRequest, GatewayContext, GatewayFeature } from './feature';

/** An HTTP answer written by the front itself. */
export interface EarlyResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type EarlyAnswerer = (request: EarlyRequest) => Promise<EarlyResponse | undefined>;

type FormatError = NonNullable<ApolloServerOptionsWithGateway<GatewayContext>['formatError']>;

const JSON_TYPE = 'application/json; charset=utf-8';

/** The refusal of an early answer, as Apollo Server would have written the same GraphQLError. */
function refusal(err: GraphQLError, formatError: FormatError | undefined): EarlyResponse {
  const { http, ...extensions } = (err.extensions ?? {}) as { http?: { status?: number; headers?: Map<string, string> } } & Record<string, unknown>;
  const formatted: GraphQLFormattedError = { message: err.message, extensions };
  const headers: Record<string, string> = { 'content-type': JSON_TYPE };
  for (const [name, value] of http?.headers ?? []) headers[name] = value;
  return { status: http?.status ?? 400, headers, body: `${JSON.stringify({ errors: [formatError ? formatError(formatted, err) : formatted] })}\n` };
}

/** The early answerer of a feature list, or undefined when no feature answers early. */
export function earlyAnswerer(features: readonly GatewayFeature[], formatError: FormatError | undefined): EarlyAnswerer | undefined {
  const owner = features.find((f) => f.answerEarly);
  if (!owner) return undefined;
  const judges = features.filter((f) => f.admitEarlyAnswer);
  return async (request) => {
    const found = await owner.answerEarly!(request);
    if (!found) return undefined;
    const headers: Record<string, string> = { 'content-type': JSON_TYPE, ...found.headers };
    const extensions: Record<string, unknown> = { ...found.extensions };
    try {
      for (const f of judges) {
        const admitted = await f.admitEarlyAnswer!(found, request);
        if (admitted?.headers) Object.assign(headers, admitted.headers);
        if (admitted?.extensions) Object.assign(extensions, admitted.extensions);
      }
    } catch (err) {
      if (err instanceof GraphQLError) return refusal(err, formatError);
      throw err;
    }
    // Apollo's own serialization of `{ data, extensions }`: the stored data text is sent as it was stored.
    const tail = Object.keys(extensions).length ? `,"extensions":${JSON.stringify(extensions)}` : '';
    return { status: 200, headers, body: `{"data":${found.dataJson}${tail}}\n` };
  };
}
