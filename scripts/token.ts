/**
 * `npm run -s token -- --sub <userId> --role <role> [--org <org>] [--ttl <seconds>]` — prints a JWT the
 * local gateway accepts (signed with JWT_SECRET, or the development secret when it is unset). The
 * lifetime defaults to an hour and may not exceed JWT_MAX_TTL_SECONDS.
 */
import { mintToken } from '../gateway/auth';
import { CLIENT_ROLES, isClientRole } from '../platform/identity';
import { fail, loadConfigOrExit, parseFlags } from './cli';

async function main() {
  const flags = parseFlags(process.argv.slice(2), { sub: 'string', role: 'string', org: 'string', ttl: 'int' });
  const config = loadConfigOrExit();
  const sub = flags.sub as string | undefined;
  const role = (flags.role as string | undefined) ?? 'customer';
  if (!sub) fail('--sub <userId> is required (e.g. --sub demo-driver)');
  if (sub.length > 128) fail('--sub is longer than 128 characters');
  if (!isClientRole(role)) fail(`--role must be one of ${CLIENT_ROLES.join(', ')}`);
  if (role === 'partner' && !flags.org) fail('--role partner needs --org <organisation> (e.g. --org catl-energy)');
  if (role !== 'partner' && flags.org) fail('--org is only for --role partner');
  const maxTtl = config.jwt.maxTtlSeconds;
  const ttl = (flags.ttl as number | undefined) ?? Math.min(3600, maxTtl);
  // A longer token would be refused by the gateway anyway: say so here, where it can be fixed.
  if (ttl < 1 || ttl > maxTtl) fail(`--ttl must be from 1 to ${maxTtl} seconds (the gateway refuses longer-lived tokens; JWT_MAX_TTL_SECONDS sets the cap)`);
  if (!config.jwt.secret) fail('JWT_JWKS_URL is set: tokens come from your identity provider, not from this command');
  process.stdout.write(`${await mintToken({ ...config.jwt, secret: config.jwt.secret }, { sub, role, ...(flags.org ? { org: flags.org as string } : {}) }, ttl)}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
