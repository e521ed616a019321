/** Jest runs TypeScript through SWC (no type-check at test time; `npm run typecheck` does that). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/platform', '<rootDir>/gateway', '<rootDir>/registry', '<rootDir>/subgraphs', '<rootDir>/stack', '<rootDir>/testing', '<rootDir>/scripts', '<rootDir>/partners'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }] },
  testTimeout: 60000,
};
