/**
 * A thin client of the registry's HTTP API, for the CLI (gateways, followers and usage reports use
 * `platform/registry-http.ts` directly):
 * one call is one request; the answer is the status and the JSON body as the registry sent them.
 */
import { registryFetch } from '../platform/registry-http';

export interface RegistryAnswer {
  status: number;
  body: any;
}

/** The registry could not be reached at all (not running, wrong URL). */
export class RegistryUnreachable extends Error {}

export class RegistryClient {
  constructor(
    readonly baseUrl: string,
    private readonly token?: string,
  ) {}

  async call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<RegistryAnswer> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await registryFetch(this.baseUrl, this.token, path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new RegistryUnreachable(`cannot reach the registry at ${this.baseUrl} (${cause?.code ?? cause?.message ?? (err as Error).message}): is \`npm run registry\` running, and is --registry right?`);
    }
    const text = await res.text();
    try {
      return { status: res.status, body: JSON.parse(text) };
    } catch {
      return { status: res.status, body: { error: { code: 'NOT_JSON', message: `the registry answered ${res.status} with a body that is not JSON: ${text.slice(0, 200)}` } } };
    }
  }

  check(name: string, schema: string, url?: string, usageDays?: number) {
    return this.call('POST', `/v1/subgraphs/${encodeURIComponent(name)}/check`, { schema, ...(url ? { url } : {}), ...(usageDays !== undefined ? { usageDays } : {}) });
  }

  publish(name: string, schema: string, url: string, allowBreaking: boolean) {
    return this.call('POST', `/v1/subgraphs/${encodeURIComponent(name)}/publish`, { schema, url, ...(allowBreaking ? { allowBreaking } : {}) });
  }

  publishMany(subgraphs: Array<{ name: string; schema: string; url: string }>, allowBreaking: boolean) {
    return this.call('POST', '/v1/publish', { subgraphs, ...(allowBreaking ? { allowBreaking } : {}) });
  }

  remove(name: string, allowBreaking: boolean) {
    return this.call('POST', `/v1/subgraphs/${encodeURIComponent(name)}/remove`, allowBreaking ? { allowBreaking } : {});
  }

  rollback(name: string, to: number | undefined, allowBreaking: boolean) {
    return this.call('POST', `/v1/subgraphs/${encodeURIComponent(name)}/rollback`, { ...(to !== undefined ? { to } : {}), ...(allowBreaking ? { allowBreaking } : {}) });
  }

  list() {
    return this.call('GET', '/v1/subgraphs');
  }

  history(name: string) {
    return this.call('GET', `/v1/subgraphs/${encodeURIComponent(name)}/versions`);
  }

  version(name: string, version: number | 'latest') {
    return this.call('GET', `/v1/subgraphs/${encodeURIComponent(name)}/versions/${version}`);
  }

  supergraph() {
    return this.call('GET', '/v1/supergraph');
  }

  whoami() {
    return this.call('GET', '/v1/me');
  }

  createKey(kind: string, org: string | undefined, label: string | undefined) {
    return this.call('POST', '/v1/keys', { kind, ...(org !== undefined ? { org } : {}), ...(label !== undefined ? { label } : {}) });
  }

  keys() {
    return this.call('GET', '/v1/keys');
  }

  revokeKey(id: string) {
    return this.call('POST', `/v1/keys/${encodeURIComponent(id)}/revoke`, {});
  }

  /** `force`: grant a name the graph's own principals published (refused otherwise). */
  grant(org: string, name: string, force = false) {
    return this.call('POST', '/v1/grants', { org, name, ...(force ? { force: true } : {}) });
  }

  grants() {
    return this.call('GET', '/v1/grants');
  }

  ungrant(org: string, name: string) {
    return this.call('POST', '/v1/grants/revoke', { org, name });
  }

  /** `safelist`: true/false sets the client's flag, undefined keeps it. */
  publishDocuments(client: string, manifest: unknown, safelist: boolean | undefined) {
    return this.call('POST', `/v1/documents/${encodeURIComponent(client)}/publish`, { manifest, ...(safelist !== undefined ? { safelist } : {}) });
  }

  documents(client: string) {
    return this.call('GET', `/v1/documents/${encodeURIComponent(client)}`);
  }

  grantClient(client: string, org: string) {
    return this.call('POST', `/v1/documents/${encodeURIComponent(client)}/grant`, { org });
  }
}
