/** Jest runs TypeScript through SWC (no type-check at test time; `npm run typecheck` does that). */
const swc = (module) => ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module }];

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/platform', '<rootDir>/gateway', '<rootDir>/registry', '<rootDir>/subgraphs', '<rootDir>/stack', '<rootDir>/testing', '<rootDir>/scripts', '<rootDir>/partners'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // postgrator is an ES module only: this file's `import()` of it stays a real import (jest's ESM loader,
    // on with --experimental-vm-modules), where a CommonJS require of it would be refused.
    'platform/migrations\\.ts$': swc({ type: 'commonjs', ignoreDynamic: true }),
    '^.+\\.ts$': swc({ type: 'commonjs' }),
  },
  testTimeout: 60000,
};
