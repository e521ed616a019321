/**
 * The keys identity tokens are signed with, and the public keys published for them (JWKS): the
 * gateway's (one for every subgraph fetch, ours and partners') and each subgraph's own (its service
 * calls to its peers).
 *
 * Whoever verifies a token holds only a public key: nothing a subgraph or a partner holds can sign for
 * the gateway or for another subgraph. Production configures each private key (a PEM or a JWK, in a
 * variable or a file) and, while rotating, the previous public keys, which stay in the JWKS so that tokens
 * signed just before the switch still verify. Outside production a key is generated once into a file that
 * every process on the machine shares: it is created exclusively (a complete file is hard-linked into
 * place, which fails if one is already there), so two processes starting together end up with the same
 * key instead of each overwriting the other's.
 *
 * Keys are read with `node:crypto` (synchronous), so a bad key is one of the configuration's problems
 * reported at start-up together with the rest; jose signs with the resulting KeyObject.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** The signature algorithms identity tokens use: ES256 (P-256) or EdDSA (Ed25519). */
export type TokenAlgorithm = 'ES256' | 'EdDSA';

/** A public key as the JWKS publishes it. */
export interface PublicJwk {
  kty: string;
  crv: string;
  x: string;
  y?: string;
  kid: string;
  alg: TokenAlgorithm;
  use: 'sig';
}

/** A key to sign with, and its public half as published. */
export interface SigningKey {
  privateKey: KeyObject;
  kid: string;
  alg: TokenAlgorithm;
  publicJwk: PublicJwk;
}

/** A key that cannot be used; the message says what is wrong with it (the caller names the variable). */
export class SigningKeyError extends Error {}

/** Longest key text accepted: a PEM or JWK of the supported kinds is a few hundred bytes. */
const MAX_KEY_CHARS = 16_384;

/** RFC 7638 thumbprint: the key's id, the same in every process that holds the same key. */
function thumbprint(jwk: { kty: string; crv: string; x: string; y?: string }): string {
  const members = jwk.kty === 'EC' ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y } : { crv: jwk.crv, kty: jwk.kty, x: jwk.x };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

/** The algorithm of a public JWK, or why it is not one tokens can be verified with. */
function algorithmOf(jwk: { kty?: unknown; crv?: unknown }): TokenAlgorithm {
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  throw new SigningKeyError(`is a ${String(jwk.kty)}${jwk.crv ? ` ${String(jwk.crv)}` : ''} key: identity tokens are signed with an EC P-256 (ES256) or Ed25519 (EdDSA) key`);
}

function publicJwkOf(key: KeyObject, kid?: string): PublicJwk {
  const jwk = (key.type === 'public' ? key : createPublicKey(key)).export({ format: 'jwk' }) as { kty: string; crv: string; x: string; y?: string };
  const alg = algorithmOf(jwk);
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, ...(jwk.y ? { y: jwk.y } : {}), kid: kid ?? thumbprint(jwk), alg, use: 'sig' };
}

/** Parses a private key given as PKCS#8/SEC1 PEM or as a private JWK (JSON). */
export function parseSigningKey(text: string): SigningKey {
  const trimmed = text.trim();
  if (trimmed.length > MAX_KEY_CHARS) throw new SigningKeyError(`is ${trimmed.length} characters long: a signing key is a PEM or JWK of a few hundred`);
  let privateKey: KeyObject;
  let kid: string | undefined;
  if (trimmed.startsWith('{')) {
    let jwk: Record<string, unknown>;
    try {
      jwk = JSON.parse(trimmed);
    } catch {
      throw new SigningKeyError('starts with "{" but is not valid JSON: give a private JWK, or a PEM ("-----BEGIN PRIVATE KEY-----")');
    }
    if (typeof jwk.d !== 'string') throw new SigningKeyError('is a JWK without its private part ("d"): the gateway needs the private key to sign');
    algorithmOf(jwk);
    if (jwk.kid !== undefined && (typeof jwk.kid !== 'string' || jwk.kid === '' || jwk.kid.length > 128)) throw new SigningKeyError('has a "kid" that is not a string of 1 to 128 characters');
    kid = jwk.kid as string | undefined;
    try {
      privateKey = createPrivateKey({ key: jwk as never, format: 'jwk' });
    } catch (err) {
      throw new SigningKeyError(`is not a usable private JWK (${(err as Error).message})`);
    }
  } else if (trimmed.startsWith('-----BEGIN')) {
    if (!/^-----BEGIN (EC |ENCRYPTED )?PRIVATE KEY-----/.test(trimmed)) throw new SigningKeyError(`is a PEM "${trimmed.split('\n')[0]}": give the private key ("-----BEGIN PRIVATE KEY-----"), not a public key or certificate`);
    if (trimmed.startsWith('-----BEGIN ENCRYPTED')) throw new SigningKeyError('is an encrypted PEM: give the key unencrypted (keep the variable or file itself secret)');
    try {
      privateKey = createPrivateKey({ key: trimmed, format: 'pem' });
    } catch (err) {
      throw new SigningKeyError(`is not a readable PEM private key (${(err as Error).message})`);
    }
  } else {
    throw new SigningKeyError('is neither a PEM private key ("-----BEGIN PRIVATE KEY-----") nor a private JWK ("{...}")');
  }
  const publicJwk = publicJwkOf(privateKey, kid);
  return { privateKey, kid: publicJwk.kid, alg: publicJwk.alg, publicJwk };
}

/** Parses the previous public keys: a JWKS (`{"keys": [...]}`, as the gateway serves it) or an array of JWKs. */
export function parsePreviousKeys(text: string): PublicJwk[] {
  if (text.length > 10 * MAX_KEY_CHARS) throw new SigningKeyError(`is ${text.length} characters long: keep only the few keys still in use`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SigningKeyError('is not JSON: give the JWKS the gateway served before the rotation ({"keys": [...]})');
  }
  const keys = Array.isArray(parsed) ? parsed : (parsed as { keys?: unknown })?.keys;
  if (!Array.isArray(keys)) throw new SigningKeyError('must be a JWKS ({"keys": [...]}) or an array of JWKs');
  return keys.map((jwk: unknown, i) => {
    if (!jwk || typeof jwk !== 'object') throw new SigningKeyError(`key ${i + 1} is not a JWK object`);
    const k = jwk as Record<string, unknown>;
    if ('d' in k) throw new SigningKeyError(`key ${i + 1} contains a private part ("d"): publish only public keys (remove "d", and treat that key as leaked)`);
    algorithmOf(k);
    if (k.kid !== undefined && (typeof k.kid !== 'string' || k.kid === '' || k.kid.length > 128)) throw new SigningKeyError(`key ${i + 1} has a "kid" that is not a string of 1 to 128 characters`);
    let key: KeyObject;
    try {
      key = createPublicKey({ key: k as never, format: 'jwk' });
    } catch (err) {
      throw new SigningKeyError(`key ${i + 1} is not a usable public JWK (${(err as Error).message})`);
    }
    return publicJwkOf(key, k.kid as string | undefined);
  });
}

/**
 * The key kept at `path`, generating it (ES256) when the file does not exist yet. Every process that
 * calls this with the same path gets the same key: the first to link its complete file into place wins,
 * the others read that one.
 */
export function loadOrCreateKeyFile(path: string): SigningKey {
  try {
    return parseSigningKey(readFileSync(path, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return installKeyFile(path, privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
}

/**
 * Puts `pem` at `path` unless a key is already there, and returns the key that is there now: ours, or
 * the one another process installed first (never overwritten). The file appears complete or not at all.
 */
export function installKeyFile(path: string, pem: string): SigningKey {
  mkdirSync(dirname(path), { recursive: true });
  const pending = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(pending, pem, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(pending, path);
  } catch (err) {
    // Another process got there first: its key is the one (EEXIST); anything else is a real failure.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(pending);
  }
  return parseSigningKey(readFileSync(path, 'utf8'));
}

/** A fresh key held only in memory (tests, and a process that must not write files). */
export function generateSigningKey(alg: TokenAlgorithm = 'ES256'): SigningKey {
  const { privateKey } = alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
  return parseSigningKey(privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
}

/** The text of `<NAME>` or of the file `<NAME>_FILE` (never both), or undefined when neither is set. */
export function keyTextOf(env: NodeJS.ProcessEnv, name: string, problems: string[]): { text: string; from: string } | undefined {
  const inline = env[name] || undefined;
  const file = env[`${name}_FILE`] || undefined;
  if (inline && file) {
    problems.push(`${name} and ${name}_FILE are both set: give the key one way`);
    return undefined;
  }
  if (inline) return { text: inline, from: name };
  if (!file) return undefined;
  try {
    return { text: readFileSync(file, 'utf8'), from: `${name}_FILE (${file})` };
  } catch (err) {
    problems.push(`${name}_FILE=${JSON.stringify(file)} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    return undefined;
  }
}
