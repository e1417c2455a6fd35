/**
 * `npm run cluster -- --replicas 3 [--port 8080]`: the cluster on this machine, from Debian packages (redis-server,
 * postgresql, nginx): Redis, PostgreSQL with migrations, N gateway replicas, the scheduler and nginx in front.
 * Prints the load balancer's URL; Ctrl-C stops everything it started.
 */
import { LocalCluster } from '../test/support/local-cluster.js';

function option(name: string, fallback: number, min: number, max: number): number {
  const index = process.argv.findIndex((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`));
  if (index < 0) return fallback;
  const arg = process.argv[index]!;
  const raw = arg.includes('=') ? arg.split('=')[1] : process.argv[index + 1];
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    process.stderr.write(`--${name} must be a whole number from ${min} to ${max}\n`);
    process.exit(64);
  }
  return value;
}

async function main(): Promise<void> {
  const replicas = option('replicas', 3, 1, 16);
  const port = option('port', 8080, 1, 65535);
  const log = (line: string) => process.stdout.write(`  ${line}\n`);
  process.stdout.write(`Starting a local Rendezvous cluster with ${replicas} gateway replicas...\n`);
  const cluster = await LocalCluster.start({ replicas, port, log });
  process.stdout.write(
    `\nRendezvous cluster ready at ${cluster.url}\n` +
      `  demo:   ${cluster.url}/demo\n  stats:  ${cluster.url}/stats\n  status: ${cluster.url}/api/status\n` +
      'Press Ctrl-C to stop everything.\n',
  );
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nStopping the cluster...\n');
    void cluster.stop().then(
      () => process.exit(0),
      (error: Error) => {
        process.stderr.write(`Stop failed: ${error.message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: Error) => {
  process.stderr.write(`The local cluster did not start: ${error.message}\n`);
  process.exit(1);
});
