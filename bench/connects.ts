import { performance } from 'node:perf_hooks';

export interface ConnectResult {
  label: string;
  total: number;
  failed: number;
  /** Attempts the server refused or dropped that were tried again (reconnect storm only). */
  retries: number;
  /** From the first attempt to the last client ready. */
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
}

/**
 * Connects `total` clients, `concurrency` at a time, each counted from the start of its TCP connect to the
 * moment the server says it is ready (`registered` for Rendezvous, `OPEN` for PeerJS), and keeps them open until
 * all are in, so the figure is the server's accept rate, not a churn of connects and disconnects.
 */
export async function connectRate(
  label: string,
  open: () => Promise<{ close(): void }>,
  total: number,
  concurrency: number,
): Promise<ConnectResult> {
  const durations: number[] = [];
  const clients: { close(): void }[] = [];
  let failed = 0;
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      next++;
      const begin = performance.now();
      try {
        clients.push(await open());
        durations.push(performance.now() - begin);
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  for (const client of clients) client.close();
  durations.sort((a, b) => a - b);
  const at = (p: number) => durations[Math.min(durations.length - 1, Math.floor((durations.length * p) / 100))] ?? NaN;
  return {
    label,
    total,
    failed,
    retries: 0,
    seconds: elapsed,
    perSecond: durations.length / elapsed,
    p50: at(50),
    p99: at(99),
  };
}

/**
 * A reconnect storm: every client connects at the same moment (no concurrency cap), as when a restart drops them
 * all and they come back together; an attempt that fails (refused, dropped, timed out) is made again at once, up
 * to `attempts` times, and its time counts from the first attempt. `seconds` is the time to the last one ready.
 */
export async function reconnectStorm(
  label: string,
  open: () => Promise<{ close(): void }>,
  total: number,
  attempts = 10,
): Promise<ConnectResult> {
  let retries = 0;
  const retrying = async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await open();
      } catch (error) {
        if (attempt >= attempts) throw error;
        retries++;
      }
    }
  };
  return { ...(await connectRate(label, retrying, total, total)), retries };
}
