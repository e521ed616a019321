/**
 * Where the gateway's trusted documents come from, kept current without a restart:
 *  - the registry it follows: `GET /v1/documents` polled every `pollMs` with `If-None-Match` (the
 *    registry's revision), so an unchanged registry costs a 304; a failed poll keeps what was loaded;
 *  - manifest files (TRUSTED_DOCUMENTS_FILES), read again when their modification time changes; a file
 *    that becomes invalid is refused (logged) and its last good documents kept.
 * Both may be given; a client in both gets the documents of both, and is safelisted if either says so.
 * Polling rather than the registry's event stream: documents change at an app's release, a poll of a
 * few seconds is soon enough, and a 304 is cheap.
 */
import { readFileSync, statSync } from 'node:fs';
import { logger } from '../platform/logger';
import { registryFetch } from '../platform/registry-http';
import { readManifest } from './trusted-manifest';

/** One client's documents: id (SHA-256 of the body) → body. */
export interface ClientDocuments {
  safelist: boolean;
  documents: ReadonlyMap<string, string>;
}

export type DocumentSet = ReadonlyMap<string, ClientDocuments>;

export interface ManifestFile {
  client: string;
  path: string;
}

export interface DocumentSourceOptions {
  registry?: { url: string; token: string };
  files: readonly ManifestFile[];
  /** Clients whose file manifests are safelists (TRUSTED_DOCUMENTS_SAFELIST). */
  safelistClients: readonly string[];
  pollMs: number;
  /** Called with every new set (the first one included). */
  onChange(documents: DocumentSet): void;
}

/** What `GET /health/trusted-documents` shows of the source. */
export interface DocumentSourceStatus {
  /** When the documents served were last replaced (null: none loaded yet). */
  loadedAt: string | null;
  registry?: { url: string; reachable: boolean; lastError: string | null };
  files: Array<{ client: string; path: string; loaded: boolean; lastError: string | null }>;
}

export interface DocumentSource {
  /** Polls once more now (tests, and the first load at start). */
  refresh(): Promise<void>;
  status(): DocumentSourceStatus;
  close(): void;
}

/** Reads one manifest file into its documents, or throws naming the file and every problem. */
export function readManifestFile(file: ManifestFile): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(file.path, 'utf8');
  } catch (err) {
    throw new Error(`${file.path} (client ${file.client}): cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    return new Map(readManifest(text).map((d) => [d.id, d.body]));
  } catch (err) {
    throw new Error(`${file.path} (client ${file.client}): ${(err as Error).message}`);
  }
}

interface Snapshot {
  clients: Array<{ name: string; safelist: boolean; documents: Array<{ id: string; body: string }> }>;
}

function isSnapshot(body: unknown): body is Snapshot {
  const clients = (body as Snapshot | null)?.clients;
  return Array.isArray(clients) && clients.every((c) => typeof c?.name === 'string' && typeof c.safelist === 'boolean' && Array.isArray(c.documents) && c.documents.every((d) => typeof d?.id === 'string' && typeof d.body === 'string'));
}

export function documentSource(opts: DocumentSourceOptions): DocumentSource {
  let fromRegistry: DocumentSet = new Map();
  const fromFiles = new Map<string, { mtimeMs: number; documents: Map<string, string> }>();
  let etag: string | undefined;
  let registryFailing = false;
  let registryError: string | null = null;
  let loadedAt: string | null = null;
  const fileErrors = new Map<string, string>();
  let polling: Promise<void> | undefined;

  const publish = () => {
    const merged = new Map<string, { safelist: boolean; documents: Map<string, string> }>();
    for (const [name, c] of fromRegistry) merged.set(name, { safelist: c.safelist, documents: new Map(c.documents) });
    for (const file of opts.files) {
      const loaded = fromFiles.get(file.path);
      if (!loaded) continue;
      const entry = merged.get(file.client) ?? { safelist: false, documents: new Map<string, string>() };
      entry.safelist ||= opts.safelistClients.includes(file.client);
      for (const [id, body] of loaded.documents) entry.documents.set(id, body);
      merged.set(file.client, entry);
    }
    loadedAt = new Date().toISOString();
    opts.onChange(merged);
  };

  /** True when a file changed (or was read for the first time). */
  function readFiles(): boolean {
    let changed = false;
    for (const file of opts.files) {
      try {
        const { mtimeMs } = statSync(file.path);
        if (fromFiles.get(file.path)?.mtimeMs === mtimeMs) continue;
        fromFiles.set(file.path, { mtimeMs, documents: readManifestFile(file) });
        fileErrors.delete(file.path);
        changed = true;
        logger.info({ service: 'gateway', client: file.client, path: file.path }, 'trusted documents read from a manifest file');
      } catch (err) {
        // Logged once per change of reason, not at every poll.
        if (fileErrors.get(file.path) === (err as Error).message) continue;
        fileErrors.set(file.path, (err as Error).message);
        logger.warn({ service: 'gateway', client: file.client, path: file.path, reason: (err as Error).message }, 'a trusted-documents manifest file is refused; its last good documents are kept');
      }
    }
    return changed;
  }

  /** True when the registry answered with new documents. */
  async function pollRegistry(): Promise<boolean> {
    if (!opts.registry) return false;
    try {
      const res = await registryFetch(opts.registry.url, opts.registry.token, '/v1/documents', { headers: etag ? { 'if-none-match': etag } : {}, timeoutMs: 10_000 });
      if (res.status === 304) return false;
      const body: unknown = await res.json().catch(() => null);
      if (res.status !== 200 || !isSnapshot(body)) throw new Error(`GET /v1/documents answered ${res.status}${(body as { error?: { message?: string } } | null)?.error?.message ? `: ${(body as { error: { message: string } }).error.message}` : ''}`);
      fromRegistry = new Map(body.clients.map((c) => [c.name, { safelist: c.safelist, documents: new Map(c.documents.map((d) => [d.id, d.body])) }]));
      etag = res.headers.get('etag') ?? undefined;
      if (registryFailing) logger.info({ service: 'gateway' }, 'the registry answers for trusted documents again');
      registryFailing = false;
      registryError = null;
      return true;
    } catch (err) {
      // Logged once per outage: the documents already loaded keep being served.
      if (!registryFailing) logger.warn({ service: 'gateway', reason: (err as Error).message }, 'cannot load trusted documents from the registry; serving the ones loaded before');
      registryFailing = true;
      registryError = (err as Error).message;
      return false;
    }
  }

  const refresh = () =>
    (polling ??= (async () => {
      const files = readFiles();
      const registry = await pollRegistry();
      if (files || registry) publish();
    })().finally(() => {
      polling = undefined;
    }));

  const timer = setInterval(() => void refresh(), opts.pollMs);
  timer.unref();
  return {
    refresh,
    status: () => ({
      loadedAt,
      ...(opts.registry ? { registry: { url: opts.registry.url, reachable: !registryFailing, lastError: registryError } } : {}),
      files: opts.files.map((f) => ({ client: f.client, path: f.path, loaded: fromFiles.has(f.path), lastError: fileErrors.get(f.path) ?? null })),
    }),
    close: () => clearInterval(timer),
  };
}
