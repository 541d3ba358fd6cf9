import { defineConfig } from 'vitest/config';

// Two suites: the unit suite runs files in parallel; the lab suite (network namespaces, real
// sshd, tcpdump) runs one file at a time, because two labs building at once on a small machine
// turn timing into flakiness. `npm test` runs both, one after the other.
const LAB = ['test/lab/**/*.test.ts', 'test/**/*.lab.test.ts'];
const lab = process.env.LVS_DOCTOR_SUITE === 'lab';

export default defineConfig({
  test: {
    include: lab ? LAB : ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: lab ? ['node_modules/**'] : ['node_modules/**', ...LAB],
    testTimeout: 30_000,
    hookTimeout: 180_000,
    pool: 'forks',
    fileParallelism: !lab,
  },
});
