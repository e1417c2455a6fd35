import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './ports.js';

/**
 * Runs a built browser scenario (dist/test/browser/<name>.js) in its own network namespace (`unshare -n`) and
 * returns the JSON of its last line; throws with its output when it printed none.
 */
export function runBrowserScenario<T>(name: string, timeoutMs: number): T {
  const script = join(repoRoot(), `dist/test/browser/${name}.js`);
  const run = spawnSync('unshare', ['-n', '--', process.execPath, script], {
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { PATH: process.env.PATH },
  });
  const lastLine = run.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(lastLine) as T;
  } catch {
    throw new Error(
      `the browser scenario printed no result (exit ${run.status}, is chromium installed? .ci/run installs it):\n` +
        `${run.stdout}\n${run.stderr}`,
    );
  }
}
