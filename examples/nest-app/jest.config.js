// Jest on ESM TypeScript (the @rendezvous packages are ES modules): ts-jest compiles each file with decorator
// metadata, and `npm test` runs Node with --experimental-vm-modules.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  // TS151002 asks for isolatedModules with NodeNext; full compilation is what gives Nest its decorator metadata.
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: { ignoreCodes: [151002] } }],
  },
  testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
  testTimeout: 30_000,
};
