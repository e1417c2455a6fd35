import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Cluster tests run the built entrypoint as real processes, so build once before any test starts. */
export default function setup(): void {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
}
