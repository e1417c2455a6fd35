import { withTimeout } from './with-timeout.js';

/** A readiness probe answers fast: a dependency that does not answer within this is down. */
export const DEPENDENCY_CHECK_TIMEOUT_MS = 1_000;

/** One dependency check with a timeout: `ok`, or `down: <reason>`. */
export async function checkDependency(
  name: string,
  probe: () => Promise<unknown>,
): Promise<{ name: string; status: string }> {
  try {
    await withTimeout(probe(), DEPENDENCY_CHECK_TIMEOUT_MS, `no answer within ${DEPENDENCY_CHECK_TIMEOUT_MS} ms`);
    return { name, status: 'ok' };
  } catch (error) {
    return { name, status: `down: ${(error as Error).message}` };
  }
}

/** Readiness from dependency checks (null = not applicable): `{ ready, checks }` for a /health/ready body. */
export async function readinessOf(
  checks: (Promise<{ name: string; status: string }> | null)[],
): Promise<{ ready: boolean; checks: Record<string, string> }> {
  const report: Record<string, string> = {};
  let ready = true;
  for (const result of await Promise.all(checks)) {
    if (!result) continue;
    report[result.name] = result.status;
    if (result.status !== 'ok') ready = false;
  }
  return { ready, checks: report };
}
