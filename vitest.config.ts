import { defineConfig } from 'vitest/config';

// Two suites: the unit suite runs files in parallel; the lab suite (network namespaces, real
// sshd, tcpdump) runs one file at a time, because two labs building at once on a small machine
// turn timing into flakiness. `npm test` runs both, one after the other.
const LAB = ['test/lab/**/*.test.ts', 'test/**/*.lab.test.ts'];
// The real-IPVS suite (a qemu guest, minutes): its own selector, LVS_DOCTOR_SUITE=ipvs.
const IPVS = ['test/**/*.ipvs.test.ts'];
const suite = process.env.LVS_DOCTOR_SUITE;
const lab = suite === 'lab' || suite === 'ipvs';

export default defineConfig({
  test: {
    include: suite === 'ipvs' ? IPVS : lab ? LAB : ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: suite === 'ipvs' ? ['node_modules/**'] : lab ? ['node_modules/**', ...IPVS] : ['node_modules/**', ...LAB, ...IPVS],
    testTimeout: 30_000,
    hookTimeout: 180_000,
    pool: 'forks',
    fileParallelism: !lab,
  },
});
