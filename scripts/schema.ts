/**
 * `npm run schema -- <command> [flags]` — the schema registry's CLI, thin over its HTTP API (README
 * "Schema registry"). Every command takes `--registry URL` (default http://127.0.0.1:4100) and a token
 * from `--token` or AUTOGRAPH_TOKEN, and `--json` to print the registry's answer as it came.
 *
 *   check --name N --schema FILE [--url URL]           exit 0: composes, nothing breaking; 1 otherwise
 *   publish --name N --schema FILE --url URL [--allow-breaking]
 *   remove --name N [--allow-breaking]                  takes N out of the graph (recorded as a removed version)
 *   rollback --name N [--to V] [--allow-breaking]       publishes version V again (default: the one before the current)
 *   list | history --name N | fetch --name N [--version V]
 *   publish-tree [--allow-breaking]                     every folder of this tree, with its served SDL and local URL
 *
 * Exit status: 0 done, 1 refused by the registry (or it is unreachable), 2 a usage error.
 */
import { readFileSync } from 'node:fs';
import { RegistryClient, RegistryUnreachable, type RegistryAnswer } from '../registry/client';
import { fail, parseFlags, type FlagSpec } from './cli';

const COMMON: FlagSpec = { registry: 'string', token: 'string', json: 'boolean' };
const COMMANDS: Record<string, FlagSpec> = {
  check: { ...COMMON, name: 'string', schema: 'string', url: 'string' },
  publish: { ...COMMON, name: 'string', schema: 'string', url: 'string', 'allow-breaking': 'boolean' },
  remove: { ...COMMON, name: 'string', 'allow-breaking': 'boolean' },
  rollback: { ...COMMON, name: 'string', to: 'string', 'allow-breaking': 'boolean' },
  list: COMMON,
  history: { ...COMMON, name: 'string' },
  fetch: { ...COMMON, name: 'string', version: 'string' },
  'publish-tree': { ...COMMON, 'allow-breaking': 'boolean' },
};
const USAGE = `usage: npm run schema -- <${Object.keys(COMMANDS).join('|')}> [flags] (see scripts/schema.ts or the README)`;

type Flags = Record<string, string | boolean | number | undefined>;

function required(flags: Flags, name: string): string {
  const value = flags[name];
  if (typeof value !== 'string' || value === '') fail(`--${name} is required`);
  return value;
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
  const errors: any[] = body?.errors ?? [];
  if (errors.length) {
    console.log(`✗ does not compose: ${errors.length} error${errors.length === 1 ? '' : 's'}`);
    for (const e of errors) console.log(`  [${e.code}] ${e.subgraphs?.length ? `${e.subgraphs.join(', ')}: ` : ''}${e.message}`);
  }
  const changes: any[] = body?.changes ?? [];
  if (body?.summary && (changes.length || !errors.length)) {
    const s = body.summary;
    console.log(`changes for clients: ${s.breaking} breaking, ${s.dangerous} dangerous, ${s.safe} safe`);
    for (const c of changes) console.log(`  ${pad(c.severity, 10)} ${pad(c.path ?? '(schema)', 40)} ${c.message}`);
  }
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
      const answer = await client.check(required(flags, 'name'), readSchema(required(flags, 'schema')), flags.url as string | undefined);
      const passes = answer.status === 200 && answer.body.composes && answer.body.summary.breaking === 0;
      output(flags, answer, () => {
        if (answer.body.composes) console.log(`✓ composes with the current graph${answer.body.against ? ` (against supergraph ${answer.body.against.slice(0, 12)})` : ' (the registry holds no supergraph yet)'}`);
        printDetails(answer.body);
        if (!passes && answer.body.composes) console.log('✗ breaking changes: publishing needs --allow-breaking');
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
        if (answer.body.subgraphs.length === 0) console.log('the registry holds no subgraph yet');
        for (const s of answer.body.subgraphs) console.log(`${pad(s.name, 16)} v${pad(String(s.version), 5)} ${pad(s.routingUrl, 40)} ${s.publishedAt} by ${s.publisher}`);
      });
    }
    case 'history': {
      const answer = await client.history(required(flags, 'name'));
      return output(flags, answer, () => {
        for (const v of answer.body.versions) console.log(`v${pad(String(v.version), 5)} ${pad(v.kind, 10)} ${pad(v.routingUrl ?? '-', 40)} ${v.publishedAt} by ${v.publisher}  supergraph ${v.supergraphId?.slice(0, 12) ?? '-'}`);
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
    console.log(`= unchanged: ${body.versions.map((v: any) => `${v.name} v${v.version}`).join(', ')} already hold this SDL and URL; nothing was published`);
    printDerived(body);
    return;
  }
  console.log(`✓ published ${body.versions.map((v: any) => `${v.name} v${v.version}`).join(', ')}; current supergraph ${body.supergraphId.slice(0, 12)}`);
  printDetails(body);
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
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
