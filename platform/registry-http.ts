/**
 * One request to the schema registry's HTTP API — the one way gateways, followers, usage reports and the
 * CLI address it: `base` is the registry's URL, a path prefix in it kept (a registry behind
 * `https://host/registry`), the credential sent as a bearer token. Callers read the answer themselves.
 */
export interface RegistryRequest extends Omit<RequestInit, 'headers'> {
  headers?: Record<string, string>;
  /** Gives up after this long (unless `signal` is given). */
  timeoutMs?: number;
}

/** `base` + `path` (`/v1/...`), keeping a path prefix of `base`. */
export function registryUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

export function registryFetch(base: string, token: string | undefined, path: string, init: RegistryRequest = {}): Promise<Response> {
  const { timeoutMs, headers, signal, ...rest } = init;
  return fetch(registryUrl(base, path), {
    ...rest,
    headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    signal: signal ?? (timeoutMs ? AbortSignal.timeout(timeoutMs) : undefined),
  });
}
