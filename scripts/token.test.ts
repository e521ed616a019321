/** `npm run -s token` as a user runs it: its tokens pass the gateway's verifier; bad flags are refused clearly. */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createTokenVerifier } from '../gateway/auth';
import { DEV_JWT_SECRET } from '../gateway/config';

const root = resolve(__dirname, '..');
function token(args: string[], env: Record<string, string> = {}) {
  const res = spawnSync(process.execPath, [require.resolve('tsx/cli'), join(root, 'scripts/token.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  return { code: res.status, out: res.stdout.trim(), err: res.stderr };
}

describe('npm run token', () => {
  test('prints a token the local gateway accepts, with the role and organisation asked for', async () => {
    const r = token(['--sub', 'station-7', '--role', 'partner', '--org', 'catl-energy']);
    expect(r.code).toBe(0);
    const verify = createTokenVerifier({ issuer: 'autograph-local', audience: 'autograph', secret: DEV_JWT_SECRET });
    expect(await verify(`Bearer ${r.out}`)).toEqual({ sub: 'station-7', role: 'partner', org: 'catl-energy' });
  });

  test('--ttl up to the cap is accepted; the token lives exactly that long', async () => {
    const r = token(['--sub', 'u1', '--ttl', '86400']);
    expect(r.code).toBe(0);
    const claims = JSON.parse(Buffer.from(r.out.split('.')[1], 'base64url').toString()) as { iat: number; exp: number };
    expect(claims.exp - claims.iat).toBe(86_400);
  });

  test('--ttl above JWT_MAX_TTL_SECONDS is refused, naming the cap; the default lifetime stays within a lower cap', () => {
    const over = token(['--sub', 'u1', '--ttl', '86401']);
    expect(over.code).toBe(2);
    expect(over.err).toMatch(/--ttl must be from 1 to 86400 seconds \(the gateway refuses longer-lived tokens; JWT_MAX_TTL_SECONDS sets the cap\)/);
    expect(over.out).toBe('');
    expect(token(['--sub', 'u1', '--ttl', '601'], { JWT_MAX_TTL_SECONDS: '600' }).err).toMatch(/--ttl must be from 1 to 600 seconds/);
    const capped = token(['--sub', 'u1'], { JWT_MAX_TTL_SECONDS: '600' });
    expect(capped.code).toBe(0);
    const claims = JSON.parse(Buffer.from(capped.out.split('.')[1], 'base64url').toString()) as { iat: number; exp: number };
    expect(claims.exp - claims.iat).toBe(600);
  });

  test.each([
    [['--role', 'customer'], /--sub <userId> is required/],
    [['--sub', 'u1', '--role', 'root'], /--role must be one of/],
    [['--sub', 'u1', '--role', 'partner'], /needs --org/],
    [['--sub', 'u1', '--org', 'x'], /only for --role partner/],
    [['--sub', 'u1', '--ttl', 'soon'], /--ttl must be a whole number/],
    [['--sub', 'u1', '--ttl', '0'], /--ttl must be from 1/],
    [['--sub'], /--sub needs a value/],
    [['--bogus'], /unknown flag --bogus/],
  ])('refuses %p with a clear message', (args, message) => {
    const r = token(args as string[]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
  });

  test('a bad configuration value stops it with the variable named', () => {
    const r = token(['--sub', 'u1'], { JWT_SECRET: 'short' });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/JWT_SECRET must be at least 16 characters/);
  });
});
