import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const lib = (name: string) => fileURLToPath(new URL(`./libs/${name}/src/index.ts`, import.meta.url));

export default defineConfig({
  // esbuild emits no decorator metadata, so every Nest constructor parameter names its token with @Inject().
  resolve: {
    alias: {
      '@rendezvous/config': lib('config'),
      '@rendezvous/protocol': lib('protocol'),
      '@rendezvous/signaling': lib('signaling'),
      '@rendezvous/cluster': lib('cluster'),
      '@rendezvous/logging': lib('logging'),
      '@rendezvous/limits': lib('limits'),
      '@rendezvous/transport': lib('transport'),
      '@rendezvous/delivery': lib('delivery'),
      '@rendezvous/sessions': lib('sessions'),
      '@rendezvous/observability': lib('observability'),
      '@rendezvous/persistence': lib('persistence'),
      '@rendezvous/rooms': lib('rooms'),
      '@rendezvous/ice': lib('ice'),
      '@rendezvous/client': lib('client'),
      '@rendezvous/jobs': lib('jobs'),
      '@rendezvous/uploads': lib('uploads'),
      '@rendezvous/server': lib('server'),
      '@rendezvous/testing': lib('testing'),
    },
  },
  test: {
    // Unit tests sit beside the code (src/) and need nothing running; everything else (contract suites on Redis,
    // e2e, deployment files) needs the build and real servers. `npm run test:unit` runs the first project only.
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['libs/*/src/**/*.spec.ts', 'apps/*/src/**/*.spec.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: [
            'libs/*/test/**/*.spec.ts',
            'apps/*/test/**/*.spec.ts',
            'apps/**/*.e2e-spec.ts',
            'test/**/*.spec.ts',
            'test/**/*.e2e-spec.ts',
          ],
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
