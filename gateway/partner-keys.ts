/**
 * The keys the gateway signs partner tokens with, and the public keys it publishes for them (JWKS).
 *
 * A partner's subgraph runs on the partner's infrastructure, so it must never hold anything that could
 * sign for us: it verifies with a public key only. Production configures the private key (a PEM or a
 * JWK, in a variable or a file) and, while rotating, the previous public keys, which stay in the JWKS so
 * that tokens signed just before the switch still verify. Outside production a key is generated once
 * into a file that every gateway process on the machine shares: it is created exclusively (a complete
 * file is hard-linked into place, which fails if one is already there), so two gateways starting together
 * end up with the same key instead of each overwriting the other's.
 *
 * Keys are read with `node:crypto` (synchronous), so a bad key is one of the configuration's problems
 * reported at start-up together with the rest; jose signs with the resulting KeyObject.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** The signature algorithms partner tokens use: ES256 (P-256) or EdDSA (Ed25519). */
export type PartnerTokenAlgorithm = 'ES256' | 'EdDSA';

/** A public key as the JWKS publishes it. */
export interface PublicJwk {
  kty: string;
  crv: string;
  x: string;
  y?: string;
  kid: string;
  alg: PartnerTokenAlgorithm;
  use: 'sig';
}

/** A key to sign with, and its public half as published. */
export interface PartnerSigningKey {
  privateKey: KeyObject;
  kid: string;
  alg: PartnerTokenAlgorithm;
  publicJwk: PublicJwk;
}

/** A key that cannot be used; the message says what is wrong with it (the caller names the variable). */
export class PartnerKeyError extends Error {}

/** Longest key text accepted: a PEM or JWK of the supported kinds is a few hundred bytes. */
const MAX_KEY_CHARS = 16_384;

/** RFC 7638 thumbprint: the key's id, the same in every process that holds the same key. */
function thumbprint(jwk: { kty: string; crv: string; x: string; y?: string }): string {
  const members = jwk.kty === 'EC' ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y } : { crv: jwk.crv, kty: jwk.kty, x: jwk.x };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

/** The algorithm of a public JWK, or why it is not one partners can verify. */
function algorithmOf(jwk: { kty?: unknown; crv?: unknown }): PartnerTokenAlgorithm {
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  throw new PartnerKeyError(`is a ${String(jwk.kty)}${jwk.crv ? ` ${String(jwk.crv)}` : ''} key: partner tokens are signed with an EC P-256 (ES256) or Ed25519 (EdDSA) key`);
}

function publicJwkOf(key: KeyObject, kid?: string): PublicJwk {
  const jwk = (key.type === 'public' ? key : createPublicKey(key)).export({ format: 'jwk' }) as { kty: string; crv: string; x: string; y?: string };
  const alg = algorithmOf(jwk);
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, ...(jwk.y ? { y: jwk.y } : {}), kid: kid ?? thumbprint(jwk), alg, use: 'sig' };
}

/** Parses a private key given as PKCS#8/SEC1 PEM or as a private JWK (JSON). */
export function parseSigningKey(text: string): PartnerSigningKey {
  const trimmed = text.trim();
  if (trimmed.length > MAX_KEY_CHARS) throw new PartnerKeyError(`is ${trimmed.length} characters long: a signing key is a PEM or JWK of a few hundred`);
  let privateKey: KeyObject;
  let kid: string | undefined;
  if (trimmed.startsWith('{')) {
    let jwk: Record<string, unknown>;
    try {
      jwk = JSON.parse(trimmed);
    } catch {
      throw new PartnerKeyError('starts with "{" but is not valid JSON: give a private JWK, or a PEM ("-----BEGIN PRIVATE KEY-----")');
    }
    if (typeof jwk.d !== 'string') throw new PartnerKeyError('is a JWK without its private part ("d"): the gateway needs the private key to sign');
    algorithmOf(jwk);
    if (jwk.kid !== undefined && (typeof jwk.kid !== 'string' || jwk.kid === '' || jwk.kid.length > 128)) throw new PartnerKeyError('has a "kid" that is not a string of 1 to 128 characters');
    kid = jwk.kid as string | undefined;
    try {
      privateKey = createPrivateKey({ key: jwk as never, format: 'jwk' });
    } catch (err) {
      throw new PartnerKeyError(`is not a usable private JWK (${(err as Error).message})`);
    }
  } else if (trimmed.startsWith('-----BEGIN')) {
    if (!/^-----BEGIN (EC |ENCRYPTED )?PRIVATE KEY-----/.test(trimmed)) throw new PartnerKeyError(`is a PEM "${trimmed.split('\n')[0]}": give the private key ("-----BEGIN PRIVATE KEY-----"), not a public key or certificate`);
    if (trimmed.startsWith('-----BEGIN ENCRYPTED')) throw new PartnerKeyError('is an encrypted PEM: give the key unencrypted (keep the variable or file itself secret)');
    try {
      privateKey = createPrivateKey({ key: trimmed, format: 'pem' });
    } catch (err) {
      throw new PartnerKeyError(`is not a readable PEM private key (${(err as Error).message})`);
    }
  } else {
    throw new PartnerKeyError('is neither a PEM private key ("-----BEGIN PRIVATE KEY-----") nor a private JWK ("{...}")');
  }
  const publicJwk = publicJwkOf(privateKey, kid);
  return { privateKey, kid: publicJwk.kid, alg: publicJwk.alg, publicJwk };
}

/** Parses the previous public keys: a JWKS (`{"keys": [...]}`, as the gateway serves it) or an array of JWKs. */
export function parsePreviousKeys(text: string): PublicJwk[] {
  if (text.length > 10 * MAX_KEY_CHARS) throw new PartnerKeyError(`is ${text.length} characters long: keep only the few keys still in use`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new PartnerKeyError('is not JSON: give the JWKS the gateway served before the rotation ({"keys": [...]})');
  }
  const keys = Array.isArray(parsed) ? parsed : (parsed as { keys?: unknown })?.keys;
  if (!Array.isArray(keys)) throw new PartnerKeyError('must be a JWKS ({"keys": [...]}) or an array of JWKs');
  return keys.map((jwk: unknown, i) => {
    if (!jwk || typeof jwk !== 'object') throw new PartnerKeyError(`key ${i + 1} is not a JWK object`);
    const k = jwk as Record<string, unknown>;
    if ('d' in k) throw new PartnerKeyError(`key ${i + 1} contains a private part ("d"): publish only public keys (remove "d", and treat that key as leaked)`);
    algorithmOf(k);
    if (k.kid !== undefined && (typeof k.kid !== 'string' || k.kid === '' || k.kid.length > 128)) throw new PartnerKeyError(`key ${i + 1} has a "kid" that is not a string of 1 to 128 characters`);
    let key: KeyObject;
    try {
      key = createPublicKey({ key: k as never, format: 'jwk' });
    } catch (err) {
      throw new PartnerKeyError(`key ${i + 1} is not a usable public JWK (${(err as Error).message})`);
    }
    return publicJwkOf(key, k.kid as string | undefined);
  });
}

/**
 * The key kept at `path`, generating it (ES256) when the file does not exist yet. Every process that
 * calls this with the same path gets the same key: the first to link its complete file into place wins,
 * the others read that one.
 */
export function loadOrCreateKeyFile(path: string): PartnerSigningKey {
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
export function installKeyFile(path: string, pem: string): PartnerSigningKey {
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
export function generateSigningKey(alg: PartnerTokenAlgorithm = 'ES256'): PartnerSigningKey {
  const { privateKey } = alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
  return parseSigningKey(privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
}
