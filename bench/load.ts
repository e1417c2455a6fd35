import { performance } from 'node:perf_hooks';
import type { CostMeter, MessageCost } from './costs.js';

/** A relayed test message: send time, index of the sending endpoint, padding. */
export interface Signal {
  t: number;
  s: number;
  pad: string;
}

/**
 * One client of a relay: `send` pushes a message towards its peer (or, in a room, its next peer); `onReceive`
 * sets (replaces) the receive handler.
 */
export interface Endpoint {
  send(data: Signal): void;
  onReceive(handler: (data: Signal) => void): void;
  close(): void;
}

/** Wraps a message source so that a later `onReceive` replaces the earlier handler instead of adding one. */
export function replaceableHandler(subscribe: (listener: (data: Signal) => void) => void) {
  let current: (data: Signal) => void = () => {};
  subscribe((data) => current(data));
  return (handler: (data: Signal) => void) => {
    current = handler;
  };
}

export interface Pair {
  a: Endpoint;
  b: Endpoint;
}

/** 200 bytes on the wire per signal (timestamp, padding and framing included). */
export const PAD = 'x'.repeat(150);

export interface RunResult {
  delivered: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] as number;
}

/** Latency samples in a preallocated buffer, so recording them allocates nothing during a run. */
class Samples {
  private readonly values: Float64Array;
  length = 0;
  constructor(capacity: number) {
    this.values = new Float64Array(capacity);
  }
  push(value: number): void {
    if (this.length < this.values.length) this.values[this.length++] = value;
  }
  sorted(): Float64Array {
    return this.values.slice(0, this.length).sort();
  }
}

/** Collects garbage in the load generator between phases (when run with --expose-gc), so no pause lands in one. */
export function settle(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function summarize(latencies: Samples, delivered: number, seconds: number): RunResult {
  const sorted = latencies.sorted();
  return {
    delivered,
    seconds,
    perSecond: delivered / seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length ? (sorted[sorted.length - 1] as number) : NaN,
  };
}

/** Closed loop: every endpoint keeps `window` messages in flight (a delivery lets its sender send the next). */
export async function saturate(
  endpoints: Endpoint[],
  seconds: number,
  window = 8,
  warmupSeconds = 1,
  meter?: CostMeter,
): Promise<RunResult & { cost?: MessageCost }> {
  let measuring = false;
  let delivered = 0;
  const latencies = new Samples(Math.ceil(seconds * 200_000));
  let running = true;
  for (const endpoint of endpoints) {
    endpoint.onReceive((data) => {
      if (measuring) {
        delivered++;
        latencies.push(performance.now() - data.t);
      }
      if (running) endpoints[data.s]?.send({ t: performance.now(), s: data.s, pad: PAD });
    });
  }
  endpoints.forEach((endpoint, s) => {
    for (let i = 0; i < window; i++) endpoint.send({ t: performance.now(), s, pad: PAD });
  });
  await sleep(warmupSeconds * 1000);
  await meter?.begin();
  measuring = true;
  const start = performance.now();
  await sleep(seconds * 1000);
  measuring = false;
  const elapsed = (performance.now() - start) / 1000;
  const cost = await meter?.end(delivered);
  running = false;
  await sleep(300);
  return { ...summarize(latencies, delivered, elapsed), ...(cost ? { cost } : {}) };
}

/** Open loop: `rate` messages per second spread over all endpoints, for `seconds`. */
export async function offered(endpoints: Endpoint[], rate: number, seconds: number): Promise<RunResult> {
  const latencies = new Samples(Math.ceil(rate * seconds * 1.1));
  let delivered = 0;
  let sent = 0;
  for (const endpoint of endpoints) {
    endpoint.onReceive((data) => {
      delivered++;
      latencies.push(performance.now() - data.t);
    });
  }
  // 1 ms ticks keep bursts small (5 messages at 5,000/s), closer to independent clients than 25-message bursts.
  const tickMs = 1;
  const start = performance.now();
  let next = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = performance.now() - start;
      const due = Math.min(rate * seconds, Math.floor((elapsed / 1000) * rate));
      while (sent < due) {
        const s = next++ % endpoints.length;
        (endpoints[s] as Endpoint).send({ t: performance.now(), s, pad: PAD });
        sent++;
      }
      if (elapsed >= seconds * 1000) {
        clearInterval(timer);
        resolve();
      }
    }, tickMs);
  });
  await sleep(500);
  const result = summarize(latencies, delivered, seconds);
  if (delivered < sent)
    process.stderr.write(`  warning: ${sent - delivered} of ${sent} offered messages not delivered\n`);
  return result;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
