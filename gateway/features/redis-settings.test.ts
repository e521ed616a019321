/** The shared Redis' settings: one server (REDIS_URL) or a cluster (REDIS_CLUSTER_NODES), each bad value a problem naming its variable. */
import { readRedisSettings } from './redis';
import { loadConfig } from '../config';
import { describeRedisTarget } from '../redis-connection';

function read(env: NodeJS.ProcessEnv) {
  const problems: string[] = [];
  return { settings: readRedisSettings(env, problems), problems };
}

test('REDIS_CLUSTER_NODES names some nodes of a cluster: host:port, [ipv6]:port or redis:// URLs with the credentials of every node', () => {
  expect(read({ REDIS_CLUSTER_NODES: '10.0.0.1:7000, 10.0.0.2:7001,[::1]:7002' })).toEqual({
    settings: { redisUrl: undefined, redisTimeoutMs: 250, redisCluster: { nodes: [{ host: '10.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7001 }, { host: '::1', port: 7002 }], username: undefined, password: undefined, tls: false } },
    problems: [],
  });
  const tls = read({ REDIS_CLUSTER_NODES: 'rediss://gw:s%40cret@a.example:6380,rediss://gw:s%40cret@b.example:6380' });
  expect(tls.problems).toEqual([]);
  expect(tls.settings.redisCluster).toEqual({ nodes: [{ host: 'a.example', port: 6380 }, { host: 'b.example', port: 6380 }], username: 'gw', password: 's@cret', tls: true });
  // The health page and the log name the nodes, never the credentials.
  expect(describeRedisTarget(tls.settings.redisCluster!)).toBe('rediss://a.example:6380,b.example:6380 (cluster)');
  expect(read({ REDIS_URL: 'redis://r:6379' }).settings).toEqual({ redisUrl: 'redis://r:6379', redisTimeoutMs: 250 });
});

test('a bad REDIS_CLUSTER_NODES entry is a problem naming the variable and the entry', () => {
  const cases: Array<[string, RegExp]> = [
    ['redis-a', /"redis-a" needs a host and a port/],
    ['a:0', /"a:0" needs a host and a port/],
    ['a:70000', /"a:70000" is not host:port/],
    ['a:7000,,b:7001', /has an empty entry/],
    ['http://a:7000', /"http:\/\/a:7000" is not host:port or a redis:\/\/ or rediss:\/\/ URL/],
    ['redis://a:7000/2', /names a database or options: a cluster has only database 0/],
    ['redis://a:7000,rediss://b:7001', /mixes schemes or credentials/],
    ['redis://:one@a:7000,redis://:two@b:7001', /mixes schemes or credentials/],
  ];
  for (const [value, message] of cases) {
    const { settings, problems } = read({ REDIS_CLUSTER_NODES: value });
    expect(problems).toEqual([expect.stringMatching(/^REDIS_CLUSTER_NODES/)]);
    expect(problems[0]).toMatch(message);
    expect(settings.redisCluster).toBeUndefined();
  }
});

test('REDIS_URL and REDIS_CLUSTER_NODES together stop start-up: the gateway keeps its state in one place', () => {
  expect(() => loadConfig({ REDIS_URL: 'redis://r:6379', REDIS_CLUSTER_NODES: 'a:7000' })).toThrow(/REDIS_URL and REDIS_CLUSTER_NODES are both set: give one server \(REDIS_URL\) or a cluster \(REDIS_CLUSTER_NODES\), not both/);
  expect(loadConfig({ REDIS_CLUSTER_NODES: 'a:7000' }).redisCluster).toEqual({ nodes: [{ host: 'a', port: 7000 }], username: undefined, password: undefined, tls: false });
});
