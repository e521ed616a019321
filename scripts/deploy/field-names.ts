/**
 * Unknown fields, which the JSON schemas let through (Kubernetes' OpenAPI schemas do not forbid extra
 * properties) but an API server with strict field validation refuses, and which otherwise vanish silently —
 * `readinesProbe:` would be no probe at all. Each document is type-checked as an object literal of its kind's
 * type from `kubernetes-types` (Kubernetes 1.30), so TypeScript's excess-property check names any field the
 * kind does not have, at any depth.
 */
import { join } from 'node:path';
import ts from 'typescript';
import type { K8sObject } from './kustomize';

/** The `kubernetes-types` module of each apiVersion used here. */
const MODULES: Record<string, string> = {
  v1: 'kubernetes-types/core/v1',
  'apps/v1': 'kubernetes-types/apps/v1',
  'batch/v1': 'kubernetes-types/batch/v1',
  'autoscaling/v2': 'kubernetes-types/autoscaling/v2',
  'policy/v1': 'kubernetes-types/policy/v1',
};

/** One line per unknown field or wrong type: `Kind/name: message`. */
export function unknownFieldProblems(objects: readonly K8sObject[], root: string): string[] {
  const problems: string[] = [];
  const lines: string[] = [];
  const owners: string[] = [];
  objects.forEach((o, i) => {
    const module = MODULES[o.apiVersion];
    if (!module) {
      problems.push(`${o.kind}/${o.metadata.name}: no types for ${o.apiVersion}`);
      return;
    }
    lines.push(`import type { ${o.kind} as T${i} } from '${module}';`);
    lines.push(`export const d${i}: T${i} = ${JSON.stringify(o)};`);
    owners[lines.length] = `${o.kind}/${o.metadata.name}`;
  });
  const fileName = join(root, '__kubernetes_documents__.ts');
  const text = lines.join('\n');
  const options: ts.CompilerOptions = { strict: true, noEmit: true, skipLibCheck: true, types: [], module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, target: ts.ScriptTarget.ES2022 };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile;
  host.getSourceFile = (name, version, ...rest) => (name === fileName ? ts.createSourceFile(name, text, version) : getSourceFile(name, version, ...rest));
  const fileExists = host.fileExists;
  host.fileExists = (name) => name === fileName || fileExists(name);
  const program = ts.createProgram([fileName], options, host);
  for (const d of ts.getPreEmitDiagnostics(program)) {
    if (d.file?.fileName !== fileName) continue;
    const line = d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1;
    problems.push(`${owners[line] ?? '?'}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ').slice(0, 400)}`);
  }
  return problems;
}
