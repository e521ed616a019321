/**
 * A private 3-master Redis Cluster (with a replica each, when asked) for tests whose claim is about a
 * cluster: each node a redis-server
 * (`testing/redis-server.ts`) in cluster mode on a free port with its own directory (nodes.conf and an
 * append-only file fsynced on every write, so a node killed and started again on the same port is the
 * same node with the same keys), joined by `redis-cli --cluster create`. It can move slots between
 * masters the way `redis-cli --cluster reshard` does (CLUSTER SETSLOT IMPORTING/MIGRATING, MIGRATE,
 * SETSLOT NODE), stopping halfway for the test to look, and kill and restart a master.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { freePort, killRedis, startRedis } from './redis-server';

/** Why a cluster cannot be started here (a binary missing), or undefined when it can. */
export function redisClusterUnavailable(): string | undefined {
  for (const binary of ['redis-server', 'redis-cli']) {
    const res = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 30_000 });
    if (res.error || res.status !== 0) return `${binary} is not on PATH (Debian: apt-get install redis-server redis-tools)`;
  }
  return undefined;
}

/** How long the cluster waits before it calls a silent node failed: short, so a test sees it within seconds. */
const NODE_TIMEOUT_MS = 2_000;

export interface RedisCluster {
  /** Every node's port (masters and replicas). */
  ports: number[];
  /** `REDIS_CLUSTER_NODES` for it. */
  seeds: string;
  /** The port of the master that owns `key`'s slot. */
  masterOf(key: string): Promise<number>;
  slotOf(key: string): Promise<number>;
  /** Every key starting with `prefix`, on every master (a SCAN of each: no node holds them all). */
  keysWithPrefix(prefix: string): Promise<string[]>;
  /**
   * Moves each slot in `slots` from its master to the next one: marks it importing and migrating, moves
   * half its keys (rounded up), runs `halfway` (the slots are split between two nodes: clients are redirected with
   * ASK), moves the rest and gives the slots to their new masters on every node.
   */
  migrateSlots(slots: number[], halfway?: () => Promise<void>): Promise<void>;
  /** Kills the master on `port` (SIGKILL, as a crash). */
  kill(port: number): Promise<void>;
  /** Starts it again on the same port with the same nodes.conf and data, and waits for `cluster_state:ok`. */
  restart(port: number): Promise<void>;
  /** Until every replica has every write its master took (no write is lost by a failover after it). */
  replicated(): Promise<void>;
  /** After `port`'s master was killed: until every running node gives its slots to a promoted replica and says `cluster_state:ok`. */
  failedOver(port: number): Promise<void>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, bound: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + bound;
  let last: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what} within ${bound} ms${last ? `: ${(last as Error).message}` : ''}`);
    await sleep(100);
  }
}

/** Three masters on `opts.ports` (free ports by default), and a replica of each with `replicas`. */
export async function startRedisCluster(opts: { ports?: number[]; replicas?: boolean } = {}): Promise<RedisCluster> {
  const ports = [...(opts.ports ?? [])];
  // Each node's cluster bus has a port of its own too (by default its port + 10000, which may be taken
  // or past 65535: so it is picked free like the others and given).
  const busPorts = new Map<number, number>();
  const taken = new Set(ports);
  const another = async () => {
    for (;;) {
      const p = await freePort();
      if (!taken.has(p)) return taken.add(p), p;
    }
  };
  while (ports.length < (opts.replicas ? 6 : 3)) ports.push(await another());
  for (const port of ports) busPorts.set(port, await another());
  const dir = mkdtempSync(join(tmpdir(), 'autograph-redis-cluster-'));
  const settings = (port: number) => [
    '--cluster-enabled', 'yes',
    '--cluster-port', String(busPorts.get(port)),
    '--cluster-config-file', `nodes-${port}.conf`,
    '--cluster-node-timeout', String(NODE_TIMEOUT_MS),
    '--dir', dir,
    '--appendonly', 'yes',
    '--appendfilename', `appendonly-${port}.aof`,
    '--appenddirname', `aof-${port}`,
    '--appendfsync', 'always',
  ];
  const processes = new Map<number, ChildProcess>();
  const admin = new Map<number, Redis>();
  const direct = (port: number) => {
    if (!admin.has(port)) admin.set(port, new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1 }).on('error', () => undefined));
    return admin.get(port)!;
  };
  const stop = async () => {
    for (const c of admin.values()) c.disconnect();
    for (const child of processes.values()) await killRedis(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const port of ports) processes.set(port, await startRedis(port, settings(port)));
    await new Promise<void>((resolve, reject) => {
      const create = spawn('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', opts.replicas ? '1' : '0', '--cluster-yes'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      create.stdout.on('data', (d) => (out += d));
      create.stderr.on('data', (d) => (out += d));
      create.once('error', reject);
      create.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`redis-cli --cluster create exited with ${code}:\n${out}`))));
    });
    await everyNodeOk();
    if (opts.replicas) await replicated();
  } catch (err) {
    await stop();
    throw err;
  }

  /** Until every running node says `cluster_state:ok` and knows the same three masters' slots. */
  async function everyNodeOk(): Promise<void> {
    await until('every node of the cluster says cluster_state:ok', 30_000, async () => {
      for (const port of processes.keys()) {
        const info = (await direct(port).cluster('INFO')) as string;
        if (!/^cluster_state:ok\b/m.test(info) || !/^cluster_slots_ok:16384\b/m.test(info)) return false;
      }
      return true;
    });
  }

  /** A node that is running, to ask about the cluster. */
  const any = () => direct([...processes.keys()][0]);

  /** Node id and port of each master that has not failed, from the cluster's own view. */
  async function masters(): Promise<Array<{ id: string; port: number }>> {
    const lines = ((await any().cluster('NODES')) as string).trim().split('\n');
    return lines
      .map((l) => l.split(' '))
      .filter((f) => f[2].includes('master') && !f[2].includes('fail'))
      .map((f) => ({ id: f[0], port: Number(/:(\d+)@/.exec(f[1])![1]) }))
      .sort((a, b) => a.port - b.port);
  }

  async function ownerOfSlot(slot: number): Promise<number> {
    const ranges = await any().cluster('SLOTS');
    const range = ranges.find(([from, to]) => slot >= from && slot <= to);
    if (!range?.[2]) throw new Error(`no master owns slot ${slot}`);
    return range[2][1];
  }

  async function replicated(): Promise<void> {
    await until('every replica has caught up with its master', 30_000, async () => {
      const offsets = new Map<number, { role: string; offset: number; masterPort?: number; link?: string }>();
      for (const port of processes.keys()) {
        const info = await direct(port).info('replication');
        const field = (name: string) => new RegExp(`^${name}:(\\S+)`, 'm').exec(info)?.[1];
        offsets.set(port, { role: field('role')!, offset: Number(field(field('role') === 'master' ? 'master_repl_offset' : 'slave_repl_offset')), masterPort: Number(field('master_port')), link: field('master_link_status') });
      }
      const replicas = [...offsets.values()].filter((o) => o.role === 'slave');
      return replicas.length > 0 && replicas.every((r) => r.link === 'up' && r.offset === offsets.get(r.masterPort!)?.offset);
    });
  }

  async function moveKeys(from: number, to: number, slot: number, count: number): Promise<void> {
    const keys = (await direct(from).cluster('GETKEYSINSLOT', slot, count)) as string[];
    if (keys.length) await direct(from).migrate('127.0.0.1', to, '', 0, 10_000, 'KEYS', ...keys);
  }

  return {
    ports,
    seeds: ports.map((p) => `127.0.0.1:${p}`).join(','),
    async masterOf(key) {
      return ownerOfSlot((await any().cluster('KEYSLOT', key)) as number);
    },
    async slotOf(key) {
      return (await any().cluster('KEYSLOT', key)) as number;
    },
    async keysWithPrefix(prefix) {
      const found: string[] = [];
      for (const port of processes.keys()) {
        let cursor = '0';
        do {
          const [next, keys] = await direct(port).scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
          cursor = next;
          found.push(...keys);
        } while (cursor !== '0');
      }
      return found;
    },
    async migrateSlots(slots, halfway) {
      const all = await masters();
      const moves = [];
      for (const slot of slots) {
        const from = await ownerOfSlot(slot);
        const to = all[(all.findIndex((m) => m.port === from) + 1) % all.length];
        const source = all.find((m) => m.port === from)!;
        // Importing first, then migrating: the order redis-cli uses, so no key is ever unreachable.
        await direct(to.port).cluster('SETSLOT', slot, 'IMPORTING', source.id);
        await direct(from).cluster('SETSLOT', slot, 'MIGRATING', to.id);
        const inSlot = (await direct(from).cluster('COUNTKEYSINSLOT', slot)) as number;
        // Half, rounded up: a slot holding one key has it on the new master, the slot still migrating.
        await moveKeys(from, to.port, slot, Math.ceil(inSlot / 2));
        moves.push({ slot, from, to });
      }
      await halfway?.();
      for (const { slot, from, to } of moves) {
        while (((await direct(from).cluster('COUNTKEYSINSLOT', slot)) as number) > 0) await moveKeys(from, to.port, slot, 1000);
        // The new owner first, then the old one, then the rest: as redis-cli does.
        for (const port of [to.port, from, ...all.map((m) => m.port).filter((p) => p !== to.port && p !== from)]) await direct(port).cluster('SETSLOT', slot, 'NODE', to.id);
      }
      await everyNodeOk();
    },
    async kill(port) {
      admin.get(port)?.disconnect();
      admin.delete(port);
      await killRedis(processes.get(port)!);
      processes.delete(port);
    },
    async restart(port) {
      processes.set(port, await startRedis(port, settings(port)));
      await everyNodeOk();
    },
    replicated,
    async failedOver(port) {
      await until(`the slots of ${port} are served by another node`, 30_000, async () => {
        for (const running of processes.keys()) {
          const ranges = await direct(running).cluster('SLOTS');
          if (ranges.some((r) => r[2]?.[1] === port)) return false;
        }
        return true;
      });
      await everyNodeOk();
    },
    stop,
  };
}
