/** The bench runs our gateway with the node flags `npm run gateway` gives it: as deployed. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deployedGatewayFlags, TARGETS } from './targets';

test("every one of our bench targets runs with npm run gateway's heap bound", () => {
  const script = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.gateway;
  expect(script).toMatch(/--max-old-space-size=\d+/);
  for (const t of TARGETS.filter((x) => x.script === 'scripts/gateway.ts')) expect(t.nodeFlags).toEqual(deployedGatewayFlags(script));
  expect(deployedGatewayFlags(script)).toEqual([expect.stringMatching(/^--max-old-space-size=\d+$/)]);
});

test('a gateway script that is not node is refused, naming it, and only heap flags are taken', () => {
  expect(() => deployedGatewayFlags('tsx scripts/gateway.ts')).toThrow(/must start with node/);
  expect(deployedGatewayFlags('node --max-old-space-size=160 --inspect --import=tsx scripts/gateway.ts')).toEqual(['--max-old-space-size=160']);
});
