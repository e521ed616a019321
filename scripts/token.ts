/**
 * `npm run -s token -- --sub <userId> --role <role> [--org <org>] [--ttl <seconds>]` — prints a JWT the
 * local gateway accepts (signed with JWT_SECRET, or the development secret when it is unset).
 */
import { mintToken } from '../gateway/auth';
import { CLIENT_ROLES, isClientRole } from '../subgraphs/kit/identity';
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
  const ttl = (flags.ttl as number | undefined) ?? 3600;
  if (ttl < 1 || ttl > 30 * 86400) fail('--ttl must be from 1 to 2592000 seconds');
  if (!config.jwt.secret) fail('JWT_JWKS_URL is set: tokens come from your identity provider, not from this command');
  process.stdout.write(`${await mintToken({ ...config.jwt, secret: config.jwt.secret }, { sub, role, ...(flags.org ? { org: flags.org as string } : {}) }, ttl)}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
