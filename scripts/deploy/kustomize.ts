/**
 * Builds a kustomization the way `kubectl apply -k` would, for the subset deploy/kubernetes/ uses, so the tests
 * can validate what a cluster receives: no kustomize renderer runs on Node (kustomize is a Go program, and its
 * binary is not on this machine). Supported: `resources` (files and directories), `components`, `patches`
 * (strategic merge, from a file or inline, optionally by target kind and name), `namespace`, `images`,
 * `replicas`. Anything else in a kustomization is refused, so a manifest using more fails the tests instead of
 * being validated as something it is not.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
}

const SUPPORTED = new Set(['apiVersion', 'kind', 'resources', 'components', 'patches', 'namespace', 'images', 'replicas']);
/** Kinds without a namespace (of those a kustomization here may hold). */
const CLUSTER_SCOPED = new Set(['Namespace']);
/** The lists a strategic merge patch merges by a key (Kubernetes' `patchMergeKey`), for the kinds used here. */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  ports: 'containerPort',
};

export class KustomizeError extends Error {}

/** Every YAML document of a file (empty documents skipped); a document that does not parse is an error. */
export function readYamlDocs(path: string): unknown[] {
  return parseYamlDocs(readFileSync(path, 'utf8'), path);
}

function parseYamlDocs(text: string, where: string): unknown[] {
  const docs = parseAllDocuments(text);
  const out: unknown[] = [];
  for (const doc of docs) {
    if (doc.errors.length) throw new KustomizeError(`${where}: ${doc.errors[0].message}`);
    const value = doc.toJS();
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

function kustomizationOf(dir: string): Record<string, unknown> {
  const path = join(dir, 'kustomization.yaml');
  if (!existsSync(path)) throw new KustomizeError(`${dir} has no kustomization.yaml`);
  const [k] = readYamlDocs(path) as Array<Record<string, unknown>>;
  const unsupported = Object.keys(k).filter((key) => !SUPPORTED.has(key));
  if (unsupported.length) throw new KustomizeError(`${path}: ${unsupported.join(', ')} not supported by the tests' builder (scripts/deploy/kustomize.ts): add it there, or do without`);
  return k;
}

/** A strategic merge of `patch` into `target` (a copy): maps merge, keyed lists merge by key, `null` deletes. */
export function strategicMerge(target: unknown, patch: unknown, field = ''): unknown {
  if (Array.isArray(patch)) {
    const key = MERGE_KEYS[field];
    if (!key || !Array.isArray(target)) return structuredClone(patch);
    const out = structuredClone(target) as Array<Record<string, unknown>>;
    for (const item of patch as Array<Record<string, unknown>>) {
      const i = out.findIndex((o) => JSON.stringify(o[key]) === JSON.stringify(item[key]));
      if (i >= 0) out[i] = strategicMerge(out[i], item) as Record<string, unknown>;
      else out.push(structuredClone(item));
    }
    return out;
  }
  if (patch && typeof patch === 'object') {
    const out: Record<string, unknown> = target && typeof target === 'object' && !Array.isArray(target) ? structuredClone(target as Record<string, unknown>) : {};
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete out[k];
      else out[k] = strategicMerge(out[k], v, k);
    }
    return out;
  }
  return patch;
}

function applyPatches(objects: K8sObject[], patches: unknown, dir: string): void {
  for (const entry of (patches as Array<{ path?: string; patch?: string; target?: { kind?: string; name?: string } }>) ?? []) {
    const docs = entry.path ? readYamlDocs(join(dir, entry.path)) : parseYamlDocs(entry.patch ?? '', `${dir} (inline patch)`);
    for (const doc of docs as K8sObject[]) {
      const kind = entry.target?.kind ?? doc.kind;
      const name = entry.target?.name ?? doc.metadata?.name;
      const i = objects.findIndex((o) => o.kind === kind && o.metadata.name === name);
      if (i < 0) throw new KustomizeError(`${dir}: a patch targets ${kind}/${name}, which no resource is`);
      objects[i] = strategicMerge(objects[i], { ...doc, apiVersion: undefined, kind: undefined, metadata: { ...doc.metadata, name: undefined } }) as K8sObject;
      objects[i] = { ...objects[i], apiVersion: objects[i].apiVersion ?? doc.apiVersion, kind, metadata: { ...objects[i].metadata, name } };
    }
  }
}

function podSpecs(o: K8sObject): Array<{ containers?: Array<{ image?: string }>; initContainers?: Array<{ image?: string }> }> {
  const spec = o.spec as { template?: { spec?: object }; jobTemplate?: { spec?: { template?: { spec?: object } } } } | undefined;
  return [spec?.template?.spec, spec?.jobTemplate?.spec?.template?.spec].filter(Boolean) as never;
}

/** The objects `kubectl apply -k dir` would send, in order. */
export function build(dir: string): K8sObject[] {
  const k = kustomizationOf(dir);
  const objects: K8sObject[] = [];
  for (const r of (k.resources as string[]) ?? []) {
    const path = join(dir, r);
    if (!existsSync(path)) throw new KustomizeError(`${dir}/kustomization.yaml names ${r}, which does not exist`);
    if (statSync(path).isDirectory()) objects.push(...build(path));
    else objects.push(...(readYamlDocs(path) as K8sObject[]));
  }
  for (const c of (k.components as string[]) ?? []) {
    const componentDir = join(dir, c);
    const component = kustomizationOf(componentDir);
    if (component.kind !== 'Component') throw new KustomizeError(`${componentDir} is listed as a component but is a ${String(component.kind)}`);
    applyPatches(objects, component.patches, componentDir);
  }
  applyPatches(objects, k.patches, dir);
  for (const { name, count } of (k.replicas as Array<{ name: string; count: number }>) ?? []) {
    const target = objects.find((o) => o.metadata.name === name && (o.spec as { replicas?: number } | undefined)?.replicas !== undefined);
    if (!target) throw new KustomizeError(`${dir}: replicas names ${name}, which has no replicas`);
    (target.spec as { replicas: number }).replicas = count;
  }
  for (const image of (k.images as Array<{ name: string; newName?: string; newTag?: string }>) ?? []) {
    for (const pod of objects.flatMap(podSpecs)) {
      for (const c of [...(pod.containers ?? []), ...(pod.initContainers ?? [])]) {
        const [name, tag] = (c.image ?? '').split(':');
        if (name === image.name) c.image = `${image.newName ?? name}${image.newTag ?? tag ? `:${image.newTag ?? tag}` : ''}`;
      }
    }
  }
  if (typeof k.namespace === 'string') {
    for (const o of objects) if (!CLUSTER_SCOPED.has(o.kind)) o.metadata = { ...o.metadata, namespace: k.namespace };
  }
  return objects;
}
