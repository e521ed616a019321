/**
 * `npm run schema -- <command> [flags]` — the schema registry's CLI, thin over its HTTP API (README
 * "Schema registry"). Every command takes `--registry URL` (default http://127.0.0.1:4100) and a token
 * from `--token` or AUTOGRAPH_TOKEN, and `--json` to print the registry's answer as it came.
 *
 *   check --name N --schema FILE [--url URL] [--usage-days D]
 *                                                      exit 0: composes, and no breaking change is in use; 1 otherwise
 *   publish --name N --schema FILE --url URL [--allow-breaking]
 *   remove --name N [--allow-breaking]                  takes N out of the graph (recorded as a removed version)
 *   rollback --name N [--to V] [--allow-breaking]       publishes version V again (default: the one before the current)
 *   list | history --name N | fetch --name N [--version V]
 *   publish-tree [--allow-breaking]                     every folder of this tree, with its served SDL and local URL
 *
 * Admins hand out access (README "Credentials and grants"):
 *   key create --kind admin|gateway|partner [--org ORG] [--label L]   prints the new key's secret (only this once) on stdout
 *   key list | key revoke --id ID
 *   whoami                                              any credential: its kind, principal and (a partner's) granted names
 *   grant --org ORG --name N [--force] | grants | ungrant --org ORG --name N
 *                                                       --force: a name an admin or npm start published (never a derived one)
 *
 * Trusted documents (README "Trusted documents"): a client app's operations, published by its team's CI:
 *   documents publish --client C --manifest FILE [--safelist | --no-safelist]
 *                                                       adds the manifest's operations to C's (never removes any);
 *                                                       --safelist holds C to its documents, --no-safelist stops it
 *   documents list --client C                           C's documents (id, name, type, publisher)
 *   documents grant --client C --org ORG                admin: ORG's partner keys may publish C's documents
 *
 * Exit status: 0 done, 1 refused by the registry (or it is unreachable), 2 a usage error.
 */
import { readFileSync } from 'node:fs';
import { RegistryClient, RegistryUnreachable, type RegistryAnswer } from '../registry/client';
import { KEY_KINDS } from '../registry/credentials';
import { fail, parseFlags, type FlagSpec } from './cli';

const COMMON: FlagSpec = { registry: 'string', token: 'string', json: 'boolean' };
const COMMANDS: Record<string, FlagSpec> = {
  check: { ...COMMON, name: 'string', schema: 'string', url: 'string', 'usage-days': 'string' },
  publish: { ...COMMON, name: 'string', schema: 'string', url: 'string', 'allow-breaking': 'boolean' },
  remove: { ...COMMON, name: 'string', 'allow-breaking': 'boolean' },
  rollback: { ...COMMON, name: 'string', to: 'string', 'allow-breaking': 'boolean' },
  list: COMMON,
  history: { ...COMMON, name: 'string' },
  fetch: { ...COMMON, name: 'string', version: 'string' },
  'publish-tree': { ...COMMON, 'allow-breaking': 'boolean' },
  'key create': { ...COMMON, kind: 'string', org: 'string', label: 'string' },
  'key list': COMMON,
  'key revoke': { ...COMMON, id: 'string' },
  grant: { ...COMMON, org: 'string', name: 'string', force: 'boolean' },
  grants: COMMON,
  whoami: COMMON,
  ungrant: { ...COMMON, org: 'string', name: 'string' },
  'documents publish': { ...COMMON, client: 'string', manifest: 'string', safelist: 'boolean', 'no-safelist': 'boolean' },
  'documents list': { ...COMMON, client: 'string' },
  'documents grant': { ...COMMON, client: 'string', org: 'string' },
};
const USAGE = `usage: npm run schema -- <${Object.keys(COMMANDS).join('|')}> [flags] (see scripts/schema.ts or the README)`;

type Flags = Record<string, string | boolean | number | undefined>;

function required(flags: Flags, name: string): string {
  const value = flags[name];
  if (typeof value !== 'string' || value === '') fail(`--${name} is required`);
  return value;
}

/** A manifest file as JSON (the registry checks every operation in it). */
function readManifestFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    fail(`--manifest ${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    fail(`--manifest ${path}: not JSON (${(err as Error).message}); give the file @apollo/generate-persisted-query-manifest or Relay wrote`);
  }
}

function readSchema(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    fail(`--schema ${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** Prints a refusal the registry sent (its message and the field it is about); exit 1. */
function refused(answer: RegistryAnswer): never {
  const e = answer.body?.error ?? {};
  console.error(`error: ${e.message ?? `the registry answered ${answer.status}`}${e.code ? ` [${e.code}]` : ''}`);
  printDetails(answer.body);
  process.exit(1);
}

const pad = (s: string, n: number) => s + ' '.repeat(Math.max(1, n - s.length));

/** Derived subgraphs (the spending merger) the change re-derives, with what moves in their SDL. */
function printDerived(body: any): void {
  for (const d of body?.derived ?? []) {
    const moved = [...d.added.map((c: string) => `+${c}`), ...d.removed.map((c: string) => `-${c}`)];
    const shown = moved.length > 8 ? [...moved.slice(0, 8), `… ${moved.length - 8} more`] : moved;
    console.log(`derived by the registry: ${d.name}${d.version ? ` v${d.version}` : ''}${shown.length ? ` (${shown.join(' ')})` : ''}`);
    if (d.replacedSent) console.log(`  the SDL sent for ${d.name} was not used: it is derived from the other subgraphs`);
  }
}

/** Composition errors and classified changes, one line each, for people. */
function printDetails(body: any): void {
  printDerived(body);
  for (const r of body?.routing ?? []) console.log(`routing: ${r.name} ${r.from ?? '(new)'} → ${r.to ?? '(removed)'}`);
  const errors: any[] = body?.errors ?? [];
  if (errors.length) {
    console.log(`✗ does not compose: ${errors.length} error${errors.length === 1 ? '' : 's'}`);
    for (const e of errors) console.log(`  [${e.code}] ${e.subgraphs?.length ? `${e.subgraphs.join(', ')}: ` : ''}${e.message}`);
  }
  const changes: any[] = body?.changes ?? [];
  if (body?.summary && (changes.length || !errors.length)) {
    const s = body.summary;
    console.log(`changes for clients: ${s.breaking} breaking, ${s.dangerous} dangerous, ${s.safe} safe`);
    for (const c of changes) {
      console.log(`  ${pad(c.severity, 10)} ${pad(c.path ?? '(schema)', 40)} ${c.message}`);
      if (c.usage) printChangeUsage(c, body.usage);
    }
    if (body.usage) {
      const u = body.usage;
      const reported = u.operations === 0 ? 'no usage was reported, so every breaking change counts' : `${u.operations} operation${u.operations === 1 ? '' : 's'} and ${u.clients} client${u.clients === 1 ? '' : 's'} reported`;
      console.log(`usage: the last ${u.days} day${u.days === 1 ? '' : 's'} (since ${u.since}): ${reported}`);
    }
  }
}

/** Under a breaking change: the operations and clients it breaks, or why it is safe to ship. */
function printChangeUsage(c: any, window: any): void {
  if (c.usage.safeToShip) {
    console.log(`  ${' '.repeat(10)} ✓ safe to ship: no operation used it in the last ${window?.days} days (${count(window?.operations ?? 0, 'operation')}, ${count(window?.clients ?? 0, 'client')} reported)`);
    return;
  }
  if (c.usage.operationCount === 0) {
    console.log(`  ${' '.repeat(10)} ${c.coordinates ? 'no usage reported in the window to clear it' : 'usage cannot tell who it breaks'}`);
    return;
  }
  console.log(`  ${' '.repeat(10)} used by ${c.usage.operationCount} operation${c.usage.operationCount === 1 ? '' : 's'}:`);
  for (const op of c.usage.operations) {
    const clients = op.clients.map((cl: any) => `${cl.name || '(unnamed client)'}${cl.version ? ` ${cl.version}` : ''} ×${cl.count}`).join(', ');
    console.log(`  ${' '.repeat(12)} ${op.name ?? '(anonymous)'} ${op.hash.slice(0, 12)}: ${count(op.count, 'call')}, last ${op.lastSeen}; ${clients}`);
  }
  if (c.usage.operationCount > c.usage.operations.length) console.log(`  ${' '.repeat(12)} … and ${c.usage.operationCount - c.usage.operations.length} more`);
}

function output(flags: Flags, answer: RegistryAnswer, human: () => void): void {
  if (answer.status >= 400 && !flags.json) refused(answer);
  if (flags.json) console.log(JSON.stringify(answer.body, null, 2));
  else human();
  if (answer.status >= 400) process.exit(1);
}

async function run(command: string, flags: Flags, client: RegistryClient): Promise<void> {
  switch (command) {
    case 'check': {
      const days = flags['usage-days'] as string | undefined;
      if (days !== undefined && !/^[1-9]\d{0,2}$/.test(days)) fail(`--usage-days must be a number of days (1 to 365), not "${days}"`);
      const answer = await client.check(required(flags, 'name'), readSchema(required(flags, 'schema')), flags.url as string | undefined, days === undefined ? undefined : Number(days));
      // Only breaking changes that operations use (or that usage cannot clear) fail the check.
      const passes = answer.status === 200 && answer.body.composes && answer.body.blocking === 0;
      output(flags, answer, () => {
        if (answer.body.composes) console.log(`✓ composes with the current graph${answer.body.against ? ` (against supergraph ${answer.body.against.slice(0, 12)})` : ' (the registry holds no supergraph yet)'}`);
        printDetails(answer.body);
        if (!passes && answer.body.composes) console.log(`✗ ${answer.body.blocking} breaking change${answer.body.blocking === 1 ? '' : 's'} in use: publishing needs --allow-breaking`);
        else if (answer.body.composes && answer.body.summary.breaking > 0) console.log('✓ every breaking change is unused in the usage window: safe to publish');
      });
      if (!passes) process.exit(1);
      return;
    }
    case 'publish': {
      const answer = await client.publish(required(flags, 'name'), readSchema(required(flags, 'schema')), required(flags, 'url'), Boolean(flags['allow-breaking']));
      return output(flags, answer, () => printPublished(answer.body));
    }
    case 'publish-tree': {
      // The tree is read only here: the registry itself knows no folder.
      const { graphFolders } = await import('../stack/graph');
      const subgraphs = graphFolders().map((f) => ({ name: f.mod.name, url: f.source.routingUrl, schema: f.generatedSdl ?? readFileSync(f.source.schemaPath!, 'utf8') }));
      const answer = await client.publishMany(subgraphs, Boolean(flags['allow-breaking']));
      return output(flags, answer, () => printPublished(answer.body));
    }
    case 'remove': {
      const answer = await client.remove(required(flags, 'name'), Boolean(flags['allow-breaking']));
      return output(flags, answer, () => {
        console.log(`✓ removed ${answer.body.name} (recorded as v${answer.body.version}); current supergraph ${answer.body.supergraphId.slice(0, 12)}`);
        printDetails(answer.body);
      });
    }
    case 'rollback': {
      const raw = flags.to as string | undefined;
      if (raw !== undefined && !/^[1-9]\d*$/.test(raw)) fail(`--to must be a version number (1, 2, …), not "${raw}"`);
      const answer = await client.rollback(required(flags, 'name'), raw === undefined ? undefined : Number(raw), Boolean(flags['allow-breaking']));
      return output(flags, answer, () => {
        if (!answer.body.unchanged) console.log(`↺ restored v${answer.body.restored} of ${answer.body.versions[0].name}`);
        printPublished(answer.body);
      });
    }
    case 'list': {
      const answer = await client.list();
      return output(flags, answer, () => {
        if (answer.body.subgraphs.length === 0) console.log('no subgraph is in the graph that this credential may see (a partner sees only the names granted to its organisation: npm run schema -- whoami)');
        for (const s of answer.body.subgraphs) console.log(`${pad(s.name, 16)} v${pad(String(s.version), 5)} ${pad(s.routingUrl, 40)} ${s.publishedAt} by ${s.publisher}`);
      });
    }
    case 'history': {
      const answer = await client.history(required(flags, 'name'));
      return output(flags, answer, () => {
        for (const v of answer.body.versions) console.log(`v${pad(String(v.version), 5)} ${pad(v.kind, 10)} ${pad(v.routingUrl ?? '-', 40)} ${v.publishedAt} by ${v.publisher}  supergraph ${v.supergraphId?.slice(0, 12) ?? '-'}`);
      });
    }
    case 'key create': {
      const kind = required(flags, 'kind');
      if (!(KEY_KINDS as readonly string[]).includes(kind)) fail(`--kind must be one of ${KEY_KINDS.join(', ')}, not "${kind}"`);
      if (kind === 'partner' && flags.org === undefined) fail('--org is required for a partner key (the organisation whose granted names it may publish)');
      if (kind !== 'partner' && flags.org !== undefined) fail(`--org belongs to partner keys only; a ${kind} key has no organisation`);
      const answer = await client.createKey(kind, flags.org as string | undefined, flags.label as string | undefined);
      return output(flags, answer, () => {
        // The secret alone on stdout, so `KEY=$(npm run -s schema -- key create …)` captures it; the note goes to stderr.
        const k = answer.body.key;
        console.log(answer.body.secret);
        console.error(`✓ created ${k.kind} key ${k.id}${k.org ? ` for ${k.org}` : ''}${k.label ? ` (${k.label})` : ''}: its secret (above) is shown only this once — store it now; the registry keeps only its SHA-256`);
      });
    }
    case 'key list': {
      const answer = await client.keys();
      return output(flags, answer, () => {
        if (answer.body.keys.length === 0) console.log('the registry has issued no key yet');
        for (const k of answer.body.keys) {
          const state = k.revokedAt ? `revoked ${k.revokedAt} by ${k.revokedBy}` : `last used ${k.lastUsedAt ?? 'never'}`;
          console.log(`${k.id}  ${pad(k.kind, 8)} ${pad(k.org ?? '-', 20)} ${pad(k.label || '-', 20)} created ${k.createdAt} by ${k.createdBy}, ${state}`);
        }
      });
    }
    case 'key revoke': {
      const answer = await client.revokeKey(required(flags, 'id'));
      return output(flags, answer, () => console.log(`✓ revoked ${answer.body.key.kind} key ${answer.body.key.id}${answer.body.key.org ? ` of ${answer.body.key.org}` : ''}: every call with it is refused from now on`));
    }
    case 'grant': {
      const answer = await client.grant(required(flags, 'org'), required(flags, 'name'), Boolean(flags.force));
      return output(flags, answer, () => {
        const g = answer.body.grant;
        console.log(answer.body.granted ? `✓ granted ${g.name} to ${g.org}: its partner keys may check, publish, remove and roll it back` : `= ${g.org} already holds ${g.name} (granted ${g.grantedAt} by ${g.grantedBy}); nothing changed`);
      });
    }
    case 'grants': {
      const answer = await client.grants();
      return output(flags, answer, () => {
        if (answer.body.grants.length === 0) console.log('no subgraph name is granted to any organisation');
        for (const g of answer.body.grants) console.log(`${pad(g.org, 24)} ${pad(g.name, 16)} granted ${g.grantedAt} by ${g.grantedBy}`);
      });
    }
    case 'whoami': {
      const answer = await client.whoami();
      return output(flags, answer, () => {
        const b = answer.body;
        console.log(`${b.kind}${b.org ? ` of ${b.org}` : ''}: acts as ${b.principal}`);
        if (b.grants) console.log(b.grants.length ? `granted: ${b.grants.join(', ')}` : `no subgraph name is granted to ${b.org} yet: ask an admin (grant --org ${b.org} --name NAME)`);
      });
    }
    case 'ungrant': {
      const answer = await client.ungrant(required(flags, 'org'), required(flags, 'name'));
      return output(flags, answer, () => console.log(`✓ revoked ${answer.body.grant.org}'s grant of ${answer.body.grant.name}: its keys may no longer use it`));
    }
    case 'documents publish': {
      if (flags.safelist && flags['no-safelist']) fail('--safelist and --no-safelist: choose one');
      const safelist = flags.safelist ? true : flags['no-safelist'] ? false : undefined;
      const app = required(flags, 'client');
      const answer = await client.publishDocuments(app, readManifestFile(required(flags, 'manifest')), safelist);
      return output(flags, answer, () => {
        const b = answer.body;
        console.log(`✓ ${app}: ${count(b.added.length, 'new document')}, ${b.unchanged.length} already registered; ${count(b.total, 'document')} in all`);
        console.log(b.safelist ? `safelist on: with TRUSTED_DOCUMENTS=per-client or enforce, ${app} may run only its documents` : `safelist off: ${app}'s documents run by id; with TRUSTED_DOCUMENTS=per-client its other operations are not refused (enforce refuses them)`);
      });
    }
    case 'documents list': {
      const answer = await client.documents(required(flags, 'client'));
      return output(flags, answer, () => {
        const c = answer.body.client;
        console.log(`${c.name}: ${count(c.documents, 'document')}, safelist ${c.safelist ? 'on' : 'off'}, published by ${c.org ? `${c.org}'s keys and admins` : 'admins only (no organisation granted)'}`);
        for (const d of answer.body.documents) console.log(`${d.id}  ${pad(d.type, 12)} ${pad(d.name ?? '(anonymous)', 30)} ${d.publishedAt} by ${d.publishedBy}`);
      });
    }
    case 'documents grant': {
      const answer = await client.grantClient(required(flags, 'client'), required(flags, 'org'));
      return output(flags, answer, () => {
        const b = answer.body;
        console.log(b.granted ? `✓ granted client ${b.client} to ${b.org}${b.previous ? ` (was ${b.previous})` : ''}: its partner keys may publish ${b.client}'s documents` : `= ${b.org} already holds client ${b.client}; nothing changed`);
      });
    }
    case 'fetch': {
      const raw = (flags.version as string | undefined) ?? 'latest';
      if (raw !== 'latest' && !/^[1-9]\d*$/.test(raw)) fail(`--version must be a version number (1, 2, …) or latest, not "${raw}"`);
      const answer = await client.version(required(flags, 'name'), raw === 'latest' ? 'latest' : Number(raw));
      return output(flags, answer, () => process.stdout.write(answer.body.sdl ?? `# ${answer.body.name} v${answer.body.version} is a removal: it has no SDL\n`));
    }
  }
}

function printPublished(body: any): void {
  if (body.unchanged) {
    console.log(`= unchanged: ${body.versions.map((v: any) => `${v.name} v${v.version}`).join(', ')} already ${body.versions.length === 1 ? 'holds' : 'hold'} this SDL and URL; nothing was published`);
    printDerived(body);
    return;
  }
  console.log(`✓ published ${body.versions.map((v: any) => `${v.name} v${v.version}`).join(', ')}; current supergraph ${body.supergraphId.slice(0, 12)}`);
  printDetails(body);
}

/** `1 call`, `3 calls`. */
const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

async function main() {
  // A reader that stops early (`| head`) is not an error of ours: stop quietly instead of a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  const [first, ...rest] = process.argv.slice(2);
  // `key` and `documents` take a sub-command: `key create`, `documents publish`, ….
  const command = first === 'key' || first === 'documents' ? `${first} ${rest.shift() ?? ''}`.trimEnd() : first;
  if (first === 'key' && !(command in COMMANDS)) fail(`${command === 'key' ? 'key needs a sub-command' : `unknown command "${command}"`}: key create, key list or key revoke`);
  if (first === 'documents' && !(command in COMMANDS)) fail(`${command === 'documents' ? 'documents needs a sub-command' : `unknown command "${command}"`}: documents publish, documents list or documents grant`);
  if (!command || !(command in COMMANDS)) fail(command ? `unknown command "${command}"; ${USAGE}` : USAGE);
  const flags = parseFlags(rest, COMMANDS[command]);
  const base = (flags.registry as string | undefined) ?? 'http://127.0.0.1:4100';
  if (!/^https?:\/\/[^/]/.test(base)) fail(`--registry must be an http(s) URL, not "${base}"`);
  const token = (flags.token as string | undefined) ?? (process.env.AUTOGRAPH_TOKEN || undefined);
  await run(command, flags, new RegistryClient(base, token));
}

main().catch((err) => {
  console.error(`error: ${err instanceof RegistryUnreachable ? err.message : (err as Error).stack ?? String(err)}`);
  process.exit(1);
});
