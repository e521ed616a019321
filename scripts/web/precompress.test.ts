import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { isPrecompressedCopy, precompress } from './precompress';

test('every text asset gets a brotli and a gzip copy that decompress to it; images are left alone', () => {
  const dir = mkdtempSync(join(tmpdir(), 'precompress-'));
  const js = 'export const x = 1;\n'.repeat(200);
  writeFileSync(join(dir, 'index-AbC.js'), js);
  writeFileSync(join(dir, 'index-AbC.css'), 'body{margin:0}');
  writeFileSync(join(dir, 'logo-AbC.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  expect(precompress(dir)).toBe(2);
  expect(readdirSync(dir).sort()).toEqual(['index-AbC.css', 'index-AbC.css.br', 'index-AbC.css.gz', 'index-AbC.js', 'index-AbC.js.br', 'index-AbC.js.gz', 'logo-AbC.png']);
  expect(brotliDecompressSync(readFileSync(join(dir, 'index-AbC.js.br'))).toString()).toBe(js);
  expect(gunzipSync(readFileSync(join(dir, 'index-AbC.js.gz'))).toString()).toBe(js);
  expect(readdirSync(dir).filter(isPrecompressedCopy)).toHaveLength(4);
});
