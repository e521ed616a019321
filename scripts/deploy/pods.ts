/**
 * The pods of a built kustomization as the tests read them: workloads with their pod template, and the
 * environment a container starts with (the image's ENV, its ConfigMaps, the example Secrets' keys, files of
 * mounted Secrets written to a scratch folder).
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { dockerfileStages, ROOT, words } from './image';
import { readYamlDocs, type K8sObject } from './kustomize';
import { BASE_DIR, SIGNING_KEYS_EXAMPLE } from './manifests';

type ExampleSecret = K8sObject & { stringData: Record<string, string> };
/** The example Secrets: the shared credentials (by hand) and the signing keys, one Secret each (generated). */
export const examples: ExampleSecret[] = [
  ...readYamlDocs(join(ROOT, BASE_DIR, 'secret.example.yaml')),
  ...readYamlDocs(join(ROOT, SIGNING_KEYS_EXAMPLE)),
] as ExampleSecret[];
export const exampleSecret = (name: string) => examples.find((e) => e.metadata.name === name);

/** The image's own ENV (a container starts from it; the manifests' env is on top). */
export const imageEnv: Record<string, string> = Object.fromEntries(
  dockerfileStages(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))
    .at(-1)!
    .instructions.filter((i) => i.getKeyword() === 'ENV')
    .flatMap((i) => words(i).map((w) => w.split('=') as [string, string])),
);

export interface Container {
  name: string;
  image: string;
  args?: string[];
  ports?: Array<{ name?: string; containerPort: number }>;
  env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean }; configMapKeyRef?: { name: string; key: string } } }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean };
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}
export interface Probe {
  httpGet?: { path: string; port: string | number };
  tcpSocket?: { port: string | number };
}
export interface PodSpec {
  containers: Container[];
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  volumes?: Array<{ name: string; emptyDir?: object; secret?: { secretName: string; items?: Array<{ key: string; path: string }> } }>;
}
export interface Workload {
  object: K8sObject;
  labels: Record<string, string>;
  pod: PodSpec;
}

export function workloads(objects: K8sObject[]): Workload[] {
  return objects
    .filter((o) => o.kind === 'Deployment' || o.kind === 'Job')
    .map((o) => {
      const template = (o.spec as { template: { metadata?: { labels?: Record<string, string> }; spec: PodSpec } }).template;
      return { object: o, labels: template.metadata?.labels ?? {}, pod: template.spec };
    });
}
export const matches = (selector: Record<string, string>, labels: Record<string, string>) => Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
export const named = (objects: K8sObject[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);

/**
 * A value for each example Secret's key that the readers accept, by `<secret>/<key>`: a private key (`*.pem`,
 * the example's is a placeholder) is a fresh EC P-256 key per Secret, so no two Secrets share one.
 */
let values: Record<string, string> | undefined;
export function secretValues(): Record<string, string> {
  values ??= Object.fromEntries(
    examples.flatMap((e) =>
      Object.entries(e.stringData).map(([k, v]) => [`${e.metadata.name}/${k}`, k.endsWith('.pem') ? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() : v]),
    ),
  );
  return values;
}

/**
 * The environment a container starts with: the image's ENV, its envFrom ConfigMaps, its env (Secret keys from the
 * example); with `files`, the files of mounted Secrets are written under it and paths into them rewritten there.
 */
export function containerEnv(objects: K8sObject[], pod: PodSpec, c: Container, files?: string): Record<string, string> {
  const secrets = secretValues();
  const env: Record<string, string> = { ...imageEnv };
  for (const from of c.envFrom ?? []) {
    if (from.configMapRef) Object.assign(env, (named(objects, 'ConfigMap', from.configMapRef.name) as unknown as { data: Record<string, string> }).data);
    if (from.secretRef) throw new Error('envFrom a Secret: name its keys one by one, so each is checked');
  }
  for (const e of c.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.secretKeyRef) {
      const { name, key, optional } = e.valueFrom.secretKeyRef;
      const value = secrets[`${name}/${key}`];
      // An optional key absent from the example (previous keys, during a rotation only): the variable is unset.
      if (value === undefined && !optional) throw new Error(`${c.name}: ${e.name} reads ${name}/${key}, which no example Secret has`);
      if (value !== undefined) env[e.name] = value;
    }
    else if (e.valueFrom?.configMapKeyRef) env[e.name] = (named(objects, 'ConfigMap', e.valueFrom.configMapKeyRef.name) as unknown as { data: Record<string, string> }).data[e.valueFrom.configMapKeyRef.key];
  }
  for (const m of c.volumeMounts ?? []) {
    const volume = pod.volumes?.find((v) => v.name === m.name);
    if (!volume?.secret || files === undefined) continue;
    for (const item of volume.secret.items ?? []) {
      const path = join(files, m.mountPath, item.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, secrets[`${volume.secret.secretName}/${item.key}`]);
    }
    for (const [k, v] of Object.entries(env)) if (v?.startsWith(`${m.mountPath}/`)) env[k] = join(files, v);
  }
  return env;
}

