/**
 * Compressed copies of the built app's assets (`x.js.br`, `x.js.gz` beside `x.js`), written once at build
 * time so the gateway only picks one per request (`gateway/features/web-app.ts`) and never compresses on
 * its event loop. The assets are content-hashed and immutable, so a copy can never go stale.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** What is worth compressing: text. Images and fonts are compressed already. */
export const COMPRESSIBLE = /\.(js|mjs|css|svg|json|map|txt)$/;
/** The encodings written, in the order the gateway prefers them, with their files' suffixes. */
export const PRECOMPRESSED = [
  { encoding: 'br', suffix: '.br' },
  { encoding: 'gzip', suffix: '.gz' },
] as const;

/** Writes a `.br` and a `.gz` beside every compressible file of `dir`; returns how many files it compressed. */
export function precompress(dir: string): number {
  let count = 0;
  for (const file of readdirSync(dir)) {
    if (!COMPRESSIBLE.test(file)) continue;
    const body = readFileSync(join(dir, file));
    writeFileSync(join(dir, `${file}.br`), brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }));
    writeFileSync(join(dir, `${file}.gz`), gzipSync(body, { level: 9 }));
    count++;
  }
  return count;
}

/** True for a compressed copy (not an asset of its own). */
export const isPrecompressedCopy = (file: string) => PRECOMPRESSED.some((p) => file.endsWith(p.suffix));
