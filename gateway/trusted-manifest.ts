/**
 * Trusted-document manifests: the list of operations a client app ships, which the gateway runs by id
 * (and, with safelisting, runs nothing else of). Two formats are read, as the tools write them:
 *  - `@apollo/generate-persisted-query-manifest`: `{ "format": "apollo-persisted-query-manifest",
 *    "version": 1, "operations": [{ "id", "name", "type", "body" }] }`;
 *  - Relay's persisted-query map (`relay-compiler` `persistConfig.file`): `{ "<id>": "<document text>" }`,
 *    with `algorithm: "SHA256"` (Relay's default MD5 ids are refused: the id must be what Apollo clients send).
 * Every operation is checked: its id is the SHA-256 hex of its body (the hash an Apollo client sends in
 * `extensions.persistedQuery.sha256Hash`), its body parses as exactly one operation (fragments allowed),
 * and a given name and type match that operation. Every problem is reported, each naming the operation;
 * a manifest over the size limits is refused before anything is parsed. The gateway reads manifest files
 * with it and the registry every published manifest, so both refuse exactly the same.
 */
import { createHash } from 'node:crypto';
import { Kind, parse, type OperationDefinitionNode } from 'graphql';

export const APOLLO_MANIFEST_FORMAT = 'apollo-persisted-query-manifest';
/** A manifest's largest JSON text: thousands of operations fit; a client's whole app is rarely 1 MiB. */
export const MANIFEST_MAX_BYTES = 4 * 1024 * 1024;
export const MANIFEST_MAX_OPERATIONS = 10_000;
/** One operation's largest body (the gateway's own request-body limit is 256 KiB by default). */
export const DOCUMENT_MAX_BYTES = 256 * 1024;
/** Most lexical tokens in one body, as the gateway's parser allows (MAX_TOKENS default). */
const DOCUMENT_MAX_TOKENS = 20_000;
/** At most this many problems are listed; the count says how many there were. */
const MAX_LISTED_PROBLEMS = 50;

/**
 * A client's name as its requests carry it in `apollographql-client-name`, for the clients documents are
 * registered for (the registry's migration 004 checks the same).
 */
export const CLIENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export type OperationType = 'query' | 'mutation' | 'subscription';

export interface TrustedDocument {
  /** SHA-256 hex of `body`. */
  id: string;
  /** The operation's name, null when anonymous. */
  name: string | null;
  type: OperationType;
  body: string;
}

/** A manifest that cannot be used: `problems` each name the operation and what is wrong. */
export class ManifestError extends Error {
  constructor(readonly problems: readonly string[]) {
    const listed = problems.slice(0, MAX_LISTED_PROBLEMS);
    const more = problems.length > listed.length ? `; … and ${problems.length - listed.length} more` : '';
    super(`the manifest is refused (${problems.length} problem${problems.length === 1 ? '' : 's'}): ${listed.join('; ')}${more}`);
  }
}

export const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

const SHA256_HEX = /^[0-9a-f]{64}$/;
const TYPES: readonly string[] = ['query', 'mutation', 'subscription'];

interface Entry {
  /** How a problem names it: `operations[3] (MySpending)`, or a Relay key. */
  label: string;
  id: unknown;
  body: unknown;
  name?: unknown;
  type?: unknown;
}

/** One entry checked: the document, or the problems with it. */
function checkEntry(e: Entry, problems: string[]): TrustedDocument | null {
  const before = problems.length;
  const problem = (what: string) => problems.push(`${e.label}: ${what}`);
  if (typeof e.id !== 'string' || !SHA256_HEX.test(e.id)) problem(`id ${JSON.stringify(e.id)?.slice(0, 80)} is not a SHA-256 hex digest (64 lower-case hex digits)`);
  if (typeof e.body !== 'string' || e.body.trim() === '') {
    problem('body must be a non-empty string (the operation text)');
    return null;
  }
  if (Buffer.byteLength(e.body) > DOCUMENT_MAX_BYTES) {
    problem(`body is ${Buffer.byteLength(e.body)} bytes, over the limit of ${DOCUMENT_MAX_BYTES}`);
    return null;
  }
  if (typeof e.id === 'string' && SHA256_HEX.test(e.id)) {
    const actual = sha256Hex(e.body);
    if (actual !== e.id) problem(`id ${e.id} is not the SHA-256 of its body (that is ${actual}): the body was changed after the id was computed, or another hash (Relay's default MD5) was used`);
  }
  let operations: OperationDefinitionNode[];
  try {
    const document = parse(e.body, { maxTokens: DOCUMENT_MAX_TOKENS });
    operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    const other = document.definitions.find((d) => d.kind !== Kind.OPERATION_DEFINITION && d.kind !== Kind.FRAGMENT_DEFINITION);
    if (other) problem(`body holds a ${other.kind} definition: a trusted document holds one operation and its fragments only`);
  } catch (err) {
    problem(`body does not parse: ${(err as Error).message}`);
    return null;
  }
  if (operations.length !== 1) {
    const names = operations.map((o) => o.name?.value ?? '(anonymous)').join(', ');
    problem(`body holds ${operations.length} operations${names ? ` (${names})` : ''}: a trusted document is exactly one operation`);
    return null;
  }
  const [op] = operations;
  const name = op.name?.value ?? null;
  if (e.name !== undefined && e.name !== null && e.name !== name) problem(`name ${JSON.stringify(e.name)} is not the operation's name in its body (${JSON.stringify(name)})`);
  if (e.type !== undefined && !(typeof e.type === 'string' && TYPES.includes(e.type))) problem(`type ${JSON.stringify(e.type)} is not query, mutation or subscription`);
  else if (e.type !== undefined && e.type !== op.operation) problem(`type ${JSON.stringify(e.type)} is not the operation's type in its body (${op.operation})`);
  if (problems.length > before) return null;
  return { id: e.id as string, name, type: op.operation, body: e.body };
}

const describe = (name: unknown) => (typeof name === 'string' && name ? ` (${name.slice(0, 80)})` : '');

/** The entries of a manifest in either format, or a problem with its shape. */
function entriesOf(manifest: unknown, problems: string[]): Entry[] {
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
    problems.push(`a manifest is a JSON object: { "format": "${APOLLO_MANIFEST_FORMAT}", "version": 1, "operations": [...] } or Relay's { "<id>": "<document>" }`);
    return [];
  }
  const m = manifest as Record<string, unknown>;
  if ('format' in m || 'operations' in m) {
    if (m.format !== APOLLO_MANIFEST_FORMAT) problems.push(`format ${JSON.stringify(m.format)} is not "${APOLLO_MANIFEST_FORMAT}"`);
    if (m.version !== 1) problems.push(`version ${JSON.stringify(m.version)} is not 1 (the version @apollo/generate-persisted-query-manifest writes)`);
    const unknown = Object.keys(m).filter((k) => !['format', 'version', 'operations'].includes(k));
    if (unknown.length) problems.push(`${unknown.map((k) => JSON.stringify(k)).join(', ')} ${unknown.length === 1 ? 'is not a field' : 'are not fields'} of a manifest (format, version, operations)`);
    if (!Array.isArray(m.operations)) {
      problems.push('operations must be an array of { id, name, type, body }');
      return [];
    }
    if (m.operations.length > MANIFEST_MAX_OPERATIONS) {
      problems.push(`operations holds ${m.operations.length} operations, over the limit of ${MANIFEST_MAX_OPERATIONS}`);
      return [];
    }
    return m.operations.map((op: unknown, i): Entry => {
      if (typeof op !== 'object' || op === null || Array.isArray(op)) return { label: `operations[${i}]`, id: undefined, body: undefined };
      const o = op as Record<string, unknown>;
      const label = `operations[${i}]${describe(o.name)}`;
      const extra = Object.keys(o).filter((k) => !['id', 'name', 'type', 'body'].includes(k));
      if (extra.length) problems.push(`${label}: ${extra.map((k) => JSON.stringify(k)).join(', ')} ${extra.length === 1 ? 'is not a field' : 'are not fields'} of an operation (id, name, type, body)`);
      return { label, id: o.id, body: o.body, name: o.name, type: o.type };
    });
  }
  const keys = Object.keys(m);
  if (keys.length > MANIFEST_MAX_OPERATIONS) {
    problems.push(`the map holds ${keys.length} documents, over the limit of ${MANIFEST_MAX_OPERATIONS}`);
    return [];
  }
  return keys.map((id) => ({ label: `document ${id.slice(0, 70)}`, id, body: m[id] }));
}

/**
 * The documents of a manifest (JSON text, or already parsed), each id once; a ManifestError listing
 * every problem when any operation is wrong, or the manifest is too large or not a manifest.
 */
export function readManifest(input: string | unknown): TrustedDocument[] {
  let manifest = input;
  if (typeof input === 'string') {
    const bytes = Buffer.byteLength(input);
    if (bytes > MANIFEST_MAX_BYTES) throw new ManifestError([`the manifest is ${bytes} bytes, over the limit of ${MANIFEST_MAX_BYTES}`]);
    try {
      manifest = JSON.parse(input);
    } catch (err) {
      throw new ManifestError([`the manifest is not JSON: ${(err as Error).message}`]);
    }
  }
  const problems: string[] = [];
  const entries = entriesOf(manifest, problems);
  const documents = new Map<string, TrustedDocument>();
  for (const entry of entries) {
    const doc = checkEntry(entry, problems);
    // The same id twice is the same body (the id is its hash): kept once.
    if (doc) documents.set(doc.id, doc);
  }
  if (problems.length) throw new ManifestError(problems);
  if (documents.size === 0) throw new ManifestError(['the manifest holds no operation']);
  return [...documents.values()];
}
