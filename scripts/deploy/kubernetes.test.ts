/**
 * deploy/kubernetes/, built as `kubectl apply -k` would (scripts/deploy/kustomize.ts), every document validated
 * against the Kubernetes 1.27 schemas (kubernetes-models), and what the schemas cannot see checked across
 * documents: selectors against pod labels, probe and Service ports against container ports, every Secret and
 * ConfigMap key against what exists, the grace period against the shutdown settings, and each container's
 * environment run through the processes' own configuration readers in production mode.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import * as apps from 'kubernetes-models/apps/v1';
import * as autoscaling from 'kubernetes-models/autoscaling/v2';
import * as batch from 'kubernetes-models/batch/v1';
import * as core from 'kubernetes-models/v1';
import * as policy from 'kubernetes-models/policy/v1';
import { loadConfig } from '../../gateway/config';
import { loadRegistryConfig } from '../../registry/config';
import { subgraphs } from '../../subgraphs';
import { unknownFieldProblems } from './field-names';
import { ROOT } from './image';
import { build, type K8sObject } from './kustomize';
import { BASE_DIR, deployFiles, GATEWAY_KEY_SECRET, subgraphKeySecret } from './manifests';
import { containerEnv, exampleSecret, examples, matches, named, workloads, type Container, type Workload } from './pods';

const MODELS: Record<string, Record<string, { new (o: object): { validate(): void } }>> = {
  'apps/v1': apps as never,
  'autoscaling/v2': autoscaling as never,
  'batch/v1': batch as never,
  v1: core as never,
  'policy/v1': policy as never,
};
const BUILDS = { base: join(ROOT, BASE_DIR), production: join(ROOT, 'deploy/kubernetes/overlays/production') };
const mods = subgraphs();
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

/** Runs the container's role through its process's own configuration checks; returns the port it would listen on. */
function startupChecks(c: Container, env: Record<string, string>): number {
  const [script, ...args] = c.args ?? [];
  const knownPorts = mods.map((m) => ({ name: m.name, port: m.port }));
  if (script === 'scripts/gateway.ts') {
    const config = loadConfig(env, {}, knownPorts);
    expect(config.partnerTokens.key.kind).toBe('configured'); // its own key, not one generated into the pod
    return config.gatewayPort;
  }
  if (script === 'scripts/subgraph.ts') {
    const mod = mods.find((m) => m.name === args[0]);
    if (!mod) throw new Error(`${c.name} runs subgraph ${args[0]}, which is no folder under subgraphs/`);
    // As scripts/subgraph.ts reads it, and what it then refuses to start without in production.
    const config = loadConfig(env, { role: 'subgraph' }, knownPorts);
    expect([mod.name, Boolean(config.gatewayJwksUrl), Boolean(config.serviceTokenKey)]).toEqual([mod.name, true, true]);
    if (!mod.stateless) expect(config.databaseUrl).toBeTruthy();
    return config.subgraphPorts[mod.name];
  }
  if (script === 'scripts/registry.ts') return loadRegistryConfig(env).port;
  if (script === 'scripts/migrate.ts') {
    expect(env.DATABASE_URL).toMatch(/^postgres(ql)?:\/\//);
    return -1;
  }
  throw new Error(`${c.name} runs ${script}, which is no role of the image (scripts/gateway.ts, subgraph.ts, registry.ts, migrate.ts)`);
}

describe.each(Object.entries(BUILDS))('the %s kustomization', (_name, dir) => {
  const objects = build(dir);
  const pods = workloads(objects);

  it('is made of documents valid against the Kubernetes 1.27 schemas', () => {
    expect(objects.length).toBeGreaterThan(20);
    const problems: string[] = [];
    for (const o of objects) {
      const Model = MODELS[o.apiVersion]?.[o.kind];
      if (!Model) problems.push(`${o.apiVersion} ${o.kind} ${o.metadata?.name}: no schema for this kind here`);
      else {
        try {
          new Model(o).validate();
        } catch (err) {
          problems.push(`${o.kind}/${o.metadata.name}: ${(err as Error).message}`);
        }
      }
    }
    expect(problems).toEqual([]);
    const ids = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(ids.length).toBe(new Set(ids).size);
  });

  it('has no field its kind does not have (the schemas let unknown fields through; a strict API server refuses them)', () => {
    expect(unknownFieldProblems(objects, ROOT)).toEqual([]);
  });

  it('has a gateway Deployment with at least 2 replicas, an autoscaler on it and a disruption budget, and each subgraph folder a Deployment, Service and PDB', () => {
    const gateway = named(objects, 'Deployment', 'autograph-gateway')!;
    expect((gateway.spec as { replicas: number }).replicas).toBeGreaterThanOrEqual(2);
    const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler')!;
    expect(hpa.spec).toMatchObject({ scaleTargetRef: { kind: 'Deployment', name: 'autograph-gateway' } });
    expect((hpa.spec as { minReplicas: number }).minReplicas).toBeGreaterThanOrEqual(2);
    for (const m of mods) {
      const args = (w: Workload) => w.pod.containers[0].args ?? [];
      const w = pods.find((p) => args(p)[0] === 'scripts/subgraph.ts' && args(p)[1] === m.name);
      expect(w ? `${m.name}: ${w.object.metadata.name}` : `${m.name}: none`).toMatch(/: autograph-/);
      expect(objects.filter((o) => (o.kind === 'Service' || o.kind === 'PodDisruptionBudget') && o.metadata.name === w!.object.metadata.name)).toHaveLength(2);
    }
    expect(pods.some((p) => p.object.kind === 'Job' && p.pod.containers[0].args?.[0] === 'scripts/migrate.ts')).toBe(true);
    expect(pods.some((p) => p.pod.containers[0].args?.[0] === 'scripts/registry.ts')).toBe(true);
  });

  it('selects pods that exist: Deployments their own template, each Service and PDB exactly one workload', () => {
    for (const w of pods.filter((p) => p.object.kind === 'Deployment')) {
      expect([w.object.metadata.name, matches((w.object.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels, w.labels)]).toEqual([w.object.metadata.name, true]);
    }
    for (const o of objects.filter((x) => x.kind === 'Service' || x.kind === 'PodDisruptionBudget')) {
      const spec = o.spec as { selector: Record<string, string> & { matchLabels?: Record<string, string> } };
      const selector = o.kind === 'Service' ? spec.selector : spec.selector.matchLabels!;
      expect([o.kind, o.metadata.name, pods.filter((w) => w.object.kind === 'Deployment' && matches(selector, w.labels)).length]).toEqual([o.kind, o.metadata.name, 1]);
    }
  });

  it('probes and Services name ports the containers declare', () => {
    const portOf = (c: Container, p: string | number) => c.ports?.find((x) => (typeof p === 'number' ? x.containerPort === p : x.name === p));
    for (const w of pods.filter((p) => p.object.kind === 'Deployment')) {
      for (const c of w.pod.containers) {
        for (const kind of ['readinessProbe', 'livenessProbe', 'startupProbe'] as const) {
          const probe = c[kind];
          expect([w.object.metadata.name, kind, probe ? 'set' : 'missing']).toEqual([w.object.metadata.name, kind, 'set']);
          const port = probe!.httpGet?.port ?? probe!.tcpSocket?.port;
          expect([w.object.metadata.name, kind, portOf(c, port!) ? 'declared' : `port ${port} undeclared`]).toEqual([w.object.metadata.name, kind, 'declared']);
          if (probe!.httpGet) expect(probe!.httpGet.path).toBe('/health');
        }
      }
    }
    for (const s of objects.filter((o) => o.kind === 'Service')) {
      const w = pods.find((p) => matches((s.spec as { selector: Record<string, string> }).selector, p.labels))!;
      for (const port of (s.spec as { ports: Array<{ targetPort: string | number }> }).ports) expect([s.metadata.name, portOf(w.pod.containers[0], port.targetPort) ? 'ok' : `targetPort ${port.targetPort} undeclared`]).toEqual([s.metadata.name, 'ok']);
    }
  });

  it('references only Secret keys the examples have (or optional ones) and ConfigMaps that exist, and the examples hold no key nobody reads', () => {
    const used = new Set<string>();
    for (const w of pods) {
      for (const c of w.pod.containers) {
        for (const e of c.env ?? []) {
          const ref = e.valueFrom?.secretKeyRef ?? e.valueFrom?.configMapKeyRef;
          if (e.valueFrom?.secretKeyRef) {
            const { name, key, optional } = e.valueFrom.secretKeyRef;
            expect([e.name, name, exampleSecret(name) ? 'an example Secret' : 'no example']).toEqual([e.name, name, 'an example Secret']);
            expect([e.name, key, key in exampleSecret(name)!.stringData || optional === true]).toEqual([e.name, key, true]);
            used.add(`${name}/${key}`);
          }
          if (e.valueFrom?.configMapKeyRef) expect((named(objects, 'ConfigMap', ref!.name) as unknown as { data: Record<string, string> } | undefined)?.data?.[ref!.key]).toBeDefined();
        }
        for (const from of c.envFrom ?? []) expect([w.object.metadata.name, from.configMapRef && named(objects, 'ConfigMap', from.configMapRef.name) ? 'exists' : 'missing']).toEqual([w.object.metadata.name, 'exists']);
      }
      for (const v of w.pod.volumes ?? []) {
        if (!v.secret) continue;
        expect([v.secret.secretName, exampleSecret(v.secret.secretName) ? 'an example Secret' : 'no example']).toEqual([v.secret.secretName, 'an example Secret']);
        for (const item of v.secret.items ?? []) {
          expect([item.key, item.key in exampleSecret(v.secret.secretName)!.stringData]).toEqual([item.key, true]);
          used.add(`${v.secret.secretName}/${item.key}`);
        }
      }
    }
    const all = examples.flatMap((e) => Object.keys(e.stringData).map((k) => `${e.metadata.name}/${k}`));
    if (_name === 'production') expect(all.filter((k) => !used.has(k))).toEqual([]);
  });

  it("gives the gateway's private key to the gateway alone and each subgraph its own key from its own Secret, no shared secret signs, and subgraphs verify with the gateway Service's JWKS", () => {
    const secretsOf = (w: Workload) => new Set([
      ...w.pod.containers.flatMap((c) => (c.env ?? []).flatMap((e) => (e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef.name] : []))),
      ...(w.pod.volumes ?? []).flatMap((v) => (v.secret ? [v.secret.secretName] : [])),
    ]);
    const role = (w: Workload) => w.pod.containers[0].args ?? [];
    const signingSecrets = new Set([GATEWAY_KEY_SECRET, ...mods.map((m) => subgraphKeySecret(m.name))]);
    const gatewaySvc = named(objects, 'Service', 'autograph-gateway')!;
    const gatewayPort = (gatewaySvc.spec as { ports: Array<{ port: number }> }).ports[0].port;
    for (const e of examples) expect([e.metadata.name, Object.keys(e.stringData).includes('AUTOGRAPH_INTERNAL_SECRET')]).toEqual([e.metadata.name, false]);
    // Every Secret holding a private key (a `.pem`) is referenced by one workload: no key is shared.
    for (const e of examples.filter((x) => Object.keys(x.stringData).some((k) => k.endsWith('.pem')))) {
      expect([e.metadata.name, pods.filter((w) => secretsOf(w).has(e.metadata.name)).map((w) => w.object.metadata.name).length]).toEqual([e.metadata.name, 1]);
    }
    for (const w of pods) {
      const name = w.object.metadata.name;
      const own = role(w)[0] === 'scripts/gateway.ts' ? GATEWAY_KEY_SECRET : role(w)[0] === 'scripts/subgraph.ts' ? subgraphKeySecret(role(w)[1]) : undefined;
      // Of the signing-key Secrets, a pod references its own or none.
      expect([name, [...secretsOf(w)].filter((s) => signingSecrets.has(s))]).toEqual([name, own ? [own] : []]);
      for (const c of w.pod.containers) {
        const env = containerEnv(objects, w.pod, c);
        expect([name, 'AUTOGRAPH_INTERNAL_SECRET' in env]).toEqual([name, false]);
        const gatewayKeyVars = Object.keys(env).filter((k) => k.startsWith('PARTNER_TOKEN_SIGNING_KEY'));
        expect([name, gatewayKeyVars]).toEqual([name, role(w)[0] === 'scripts/gateway.ts' ? ['PARTNER_TOKEN_SIGNING_KEY_FILE'] : []]);
        if (role(w)[0] !== 'scripts/subgraph.ts') continue;
        expect([name, env.SERVICE_TOKEN_SIGNING_KEY ? 'own key' : 'none']).toEqual([name, 'own key']);
        const jwks = new URL(env.GATEWAY_JWKS_URL);
        expect([name, jwks.hostname, Number(jwks.port || 80), jwks.pathname]).toEqual([name, gatewaySvc.metadata.name, gatewayPort, '/.well-known/jwks.json']);
      }
    }
  });

  it('runs every pod as non-root on a read-only root filesystem with limits, /tmp writable, and the supergraph cache on a volume', () => {
    for (const w of pods) {
      expect([w.object.metadata.name, w.pod.securityContext?.runAsNonRoot]).toEqual([w.object.metadata.name, true]);
      for (const c of w.pod.containers) {
        expect([w.object.metadata.name, c.securityContext?.readOnlyRootFilesystem, c.securityContext?.allowPrivilegeEscalation]).toEqual([w.object.metadata.name, true, false]);
        expect([w.object.metadata.name, Object.keys(c.resources?.requests ?? {}).sort(), Object.keys(c.resources?.limits ?? {}).sort()]).toEqual([w.object.metadata.name, ['cpu', 'memory'], ['cpu', 'memory']]);
        const writable = (c.volumeMounts ?? []).filter((m) => !m.readOnly && w.pod.volumes?.find((v) => v.name === m.name)?.emptyDir).map((m) => m.mountPath);
        const onVolume = (path: string) => writable.some((m) => path === m || path.startsWith(`${m}/`));
        expect([w.object.metadata.name, onVolume('/tmp')]).toEqual([w.object.metadata.name, true]);
        const env = containerEnv(objects, w.pod, c);
        if (env.REGISTRY_URL && c.args?.[0] === 'scripts/gateway.ts') {
          const cache = posix.resolve('/app', env.SUPERGRAPH_CACHE_PATH ?? '.data/supergraph-cache.graphql');
          expect([w.object.metadata.name, cache, onVolume(posix.dirname(cache))]).toEqual([w.object.metadata.name, cache, true]);
        }
      }
    }
  });

  it('gives each server longer than its shutdown delay and drain before it is killed', () => {
    for (const w of pods.filter((p) => p.object.kind === 'Deployment')) {
      const env = containerEnv(objects, w.pod, w.pod.containers[0]);
      const shutdownMs = Number(env.SHUTDOWN_DELAY_MS ?? 0) + Number(env.SHUTDOWN_DRAIN_MS ?? 10_000);
      expect([w.object.metadata.name, (w.pod.terminationGracePeriodSeconds ?? 30) * 1000 > shutdownMs]).toEqual([w.object.metadata.name, true]);
    }
  });

  it("starts every container: its role's production configuration checks pass on its environment, and it listens on its declared port on every interface", () => {
    const files = mkdtempSync(join(tmpdir(), 'autograph-k8s-'));
    try {
      for (const w of pods) {
        for (const c of w.pod.containers) {
          const env = containerEnv(objects, w.pod, c, files);
          expect([w.object.metadata.name, env.NODE_ENV]).toEqual([w.object.metadata.name, 'production']);
          let port: number;
          try {
            port = startupChecks(c, env);
          } catch (err) {
            throw new Error(`${w.object.metadata.name} would not start: ${(err as Error).message}`);
          }
          if (port < 0) continue;
          expect([w.object.metadata.name, env.HOST, c.ports?.some((p) => p.containerPort === port)]).toEqual([w.object.metadata.name, '0.0.0.0', true]);
        }
      }
    } finally {
      rmSync(files, { recursive: true, force: true });
    }
  });

  it('runs the file each role\'s package.json script runs, and the gateway with the same node flags', () => {
    for (const w of pods) {
      const script = w.pod.containers[0].args?.[0];
      const role = Object.entries(pkg.scripts).find(([, cmd]) => cmd.includes(script!))?.[0];
      if (script === 'scripts/migrate.ts' && !pkg.scripts.migrate) continue; // `npm run migrate` is not in this tree yet
      expect([w.object.metadata.name, role]).toEqual([w.object.metadata.name, expect.any(String)]);
      if (role === 'gateway') {
        const nodeFlags = pkg.scripts.gateway.split(/\s+/).filter((f) => f.startsWith('--') && f !== '--import=tsx');
        const env = containerEnv(objects, w.pod, w.pod.containers[0]);
        for (const f of nodeFlags) expect((env.NODE_OPTIONS ?? '').split(/\s+/)).toContain(f);
      }
    }
  });
});

describe('the generated manifests', () => {
  it('are what `npm run deploy:manifests` writes from the subgraph folders now', () => {
    const files = deployFiles(mods.map((m) => ({ name: m.name, port: m.port, stateless: Boolean(m.stateless), fromPeers: Boolean(m.fromPeers), background: typeof m.background === 'function' })));
    for (const [path, content] of files) expect([path, readFileSync(join(ROOT, path), 'utf8') === content]).toEqual([path, true]);
  });

  it('the production overlay puts everything but the Namespace in its namespace and names a pushed image', () => {
    const objects = build(BUILDS.production);
    expect(objects.filter((o) => o.kind !== 'Namespace' && o.metadata.namespace !== 'autograph').map((o) => o.metadata.name)).toEqual([]);
    for (const w of workloads(objects)) for (const c of w.pod.containers) expect(c.image).toMatch(/^[\w.-]+\/[\w./-]+:[\w.-]+$/);
    const gateway = workloads(objects).find((w) => w.object.metadata.name === 'autograph-gateway')!;
    expect(gateway.pod.containers[0].env?.map((e) => e.name)).toEqual(expect.arrayContaining(['REGISTRY_URL', 'REGISTRY_TOKEN', 'REDIS_URL']));
  });
});
