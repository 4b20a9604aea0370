/** Unit tests need no services; integration tests talk to the ones scripts/infra starts; fault tests run their own broker beside them. */
const transform = { '^.+\\.(ts|js)$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] };
// The Kafka client ships ES modules only; jest's module system needs them as CommonJS (Node runs them as they are).
const transformIgnorePatterns = ['/node_modules/(?!@platformatic/)'];

module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/integration/support/setup.ts'],
    },
    {
      // a private broker per file, restarted, killed and frozen under load
      displayName: 'faults',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/faults/**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/faults/support/setup.ts'],
    },
  ],
};
