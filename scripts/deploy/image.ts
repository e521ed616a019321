/**
 * What can be known of the image without building it (no Docker engine here): the Dockerfile's stages and
 * instructions (dockerfile-ast), what the build context holds (`.dockerignore`, with Docker's own matching:
 * @balena/dockerignore), what the runtime stage copies, and the project files and npm packages the servers'
 * entry scripts load (their import graph, resolved with TypeScript's own resolver).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { builtinModules } from 'node:module';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import dockerignore from '@balena/dockerignore';
import ts from 'typescript';

export const ROOT = join(__dirname, '..', '..');

export interface Stage {
  name: string | null;
  image: string;
  instructions: Instruction[];
}

/** The Dockerfile's stages, each with its instructions (FROM first). */
export function dockerfileStages(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const from = instruction as unknown as { getImage(): string; getBuildStage(): string | null };
      stages.push({ name: from.getBuildStage(), image: from.getImage(), instructions: [instruction] });
    } else if (stages.length) {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return stages;
}

/** An instruction's arguments as words: its JSON array (exec form), else split on spaces (shell form). */
export function words(instruction: Instruction): string[] {
  const content = instruction.getArgumentsContent() ?? '';
  if (/^\s*\[/.test(content)) {
    try {
      return JSON.parse(content) as string[];
    } catch {
      // not valid JSON: Docker runs it in the shell form too
    }
  }
  return instruction.getArguments().map((a) => a.getValue());
}

/** An instruction's flags (`--from=deps` → `{ from: 'deps' }`). */
export function flags(instruction: Instruction): Record<string, string> {
  const withFlags = instruction as unknown as { getFlags?(): Array<{ getName(): string; getValue(): string | null }> };
  return Object.fromEntries((withFlags.getFlags?.() ?? []).map((f) => [f.getName(), f.getValue() ?? '']));
}

/** The tracked files of the tree (what a clone holds, so what a build context of a clone holds). */
export function trackedFiles(root = ROOT): string[] {
  return execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
}

/** Files of `files` that `.dockerignore` keeps out of the build context. */
export function ignoredByDockerignore(files: readonly string[], dockerignoreText: string): Set<string> {
  const ig = dockerignore({ ignorecase: false }).add(dockerignoreText.split('\n'));
  return new Set(files.filter((f) => ig.ignores(f)));
}

/** The context paths the stage's COPY instructions take from the build context (not `--from=` another stage). */
export function copiedFromContext(stage: Stage): string[] {
  return stage.instructions
    .filter((i) => i.getKeyword() === 'COPY' && flags(i).from === undefined)
    .flatMap((i) => words(i).slice(0, -1))
    .map((p) => p.replace(/^\.\/|\/$/g, ''));
}

/** Whether a COPY of `sources` (files or folders) brings `file` along. */
export function isCopied(file: string, sources: readonly string[]): boolean {
  return sources.some((s) => s === '.' || file === s || file.startsWith(`${s}/`));
}

export interface ImportGraph {
  /** Project files the entries load, relative to the root. */
  files: Set<string>;
  /** npm packages they import at run time (type-only imports left out), with one importer each. */
  packages: Map<string, string>;
}

const COMPILER_OPTIONS: ts.CompilerOptions = { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, resolveJsonModule: true, allowJs: true };
const BUILTINS = new Set(builtinModules);

/** The run-time module specifiers of one file: imports and re-exports that are not type-only, `require()`, `import()`. */
function runtimeSpecifiers(path: string): string[] {
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true);
  const out: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly && ts.isStringLiteral(node.moduleSpecifier)) out.push(node.moduleSpecifier.text);
    if (ts.isExportDeclaration(node) && !node.isTypeOnly && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) out.push(node.moduleSpecifier.text);
    if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) out.push(node.moduleReference.expression.text);
    if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require')) && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) out.push(node.arguments[0].text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Every project file and npm package the entries load, following imports through the project's files. */
export function importGraph(entries: readonly string[], root = ROOT): ImportGraph {
  const files = new Set<string>();
  const packages = new Map<string, string>();
  const pending = entries.map((e) => join(root, e));
  while (pending.length) {
    const abs = pending.pop()!;
    const rel = relative(root, abs);
    if (files.has(rel)) continue;
    files.add(rel);
    if (!/\.[cm]?[jt]s$/.test(abs)) continue;
    for (const specifier of runtimeSpecifiers(abs)) {
      const bare = specifier.replace(/^node:/, '');
      if (specifier.startsWith('node:') || BUILTINS.has(bare) || BUILTINS.has(bare.split('/')[0])) continue;
      if (!specifier.startsWith('.')) {
        if (!packages.has(packageName(specifier))) packages.set(packageName(specifier), rel);
        continue;
      }
      const resolved = ts.resolveModuleName(specifier, abs, COMPILER_OPTIONS, ts.sys).resolvedModule?.resolvedFileName;
      const target = resolved ?? (existsSync(join(dirname(abs), specifier)) ? join(dirname(abs), specifier) : undefined);
      if (!target) throw new Error(`${rel} imports ${specifier}, which does not resolve`);
      pending.push(target);
    }
  }
  return { files, packages };
}

/** The subgraph folders' entry files, which `subgraphs/index.ts` loads by a computed `require` (no import names them). */
export function subgraphEntries(root = ROOT): string[] {
  const dir = join(root, 'subgraphs');
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, 'index.ts')) && existsSync(join(dir, e.name, 'schema.graphql')))
    .map((e) => `subgraphs/${e.name}/index.ts`);
}
