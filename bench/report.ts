import { cpus, totalmem } from 'node:os';
import type { ConnectResult } from './connects.js';
import type { MessageCost, RunQueueWait } from './costs.js';
import type { RunResult } from './load.js';

export interface Row {
  scenario: string;
  saturation: RunResult & { window: number; cost?: MessageCost };
  fixed: RunResult;
  /** Run-queue wait per process during the fixed-rate run (costed scenarios only). */
  fixedWaits?: Record<string, RunQueueWait>;
  /** Share of CPU time the hypervisor took from this VM during the scenario: high values void the figures. */
  stealPercent: number;
  calibration: number;
}

export interface MemoryRow {
  label: string;
  rssPerSocket: number;
  heapPerSocket: number;
}

/** Prints the run's tables (markdown, as recorded in docs/BENCHMARKS.md). */
export function report(
  settings: { pairs: number; seconds: number; rate: number; idle: number; windows: number[] },
  rows: Row[],
  memoryRows: MemoryRow[],
  connectRows: ConnectResult[],
): void {
  const { pairs: PAIRS, seconds: SECONDS, rate: RATE, idle: IDLE, windows: WINDOWS } = settings;
  const cpu = cpus();
  const lines = [
    `Machine: ${cpu.length} x ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
    `Command: npm run bench -- --pairs=${PAIRS} --seconds=${SECONDS} --rate=${RATE} --idle=${IDLE} --windows=${WINDOWS.join(',')}; ${new Date().toISOString()}`,
    '',
    `| scenario (${PAIRS} pairs, 200-byte signals) | saturation msg/s | vs ws | window | p50 ms | p99 ms | p50 ms @${RATE}/s | p99 ms @${RATE}/s | CPU steal | calibration ms |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  // The faster of the run's bare ws measurements (start and end), so a slow moment never flatters a ratio.
  const baselines = rows.filter((row) => row.scenario.startsWith('bare ws relay (baseline'));
  const baseline = baselines.length ? Math.max(...baselines.map((row) => row.saturation.perSecond)) : undefined;
  const flightRow = rows.find((row) => row.scenario.startsWith('2 replicas + Redis (sharded'));
  const roomRow = rows.find((row) => row.scenario.startsWith('rooms:'));
  for (const { scenario, saturation, fixed, stealPercent, calibration } of rows) {
    lines.push(
      `| ${scenario} | ${saturation.perSecond.toFixed(0)} | ${baseline ? `${((saturation.perSecond / baseline) * 100).toFixed(0)}%` : '-'} | ${saturation.window} | ${saturation.p50.toFixed(2)} | ${saturation.p99.toFixed(2)} | ${fixed.p50.toFixed(2)} | ${fixed.p99.toFixed(2)} | ${stealPercent.toFixed(0)}% | ${calibration.toFixed(0)} |`,
    );
  }
  if (baselines.length > 1) {
    lines.push(
      '',
      `Bare ws relay: ${baselines.map((row) => row.saturation.perSecond.toFixed(0)).join(' then ')} msg/s; ` +
        `"vs ws" is against the faster.`,
    );
  }
  if (flightRow && roomRow) {
    const share = (roomRow.saturation.perSecond / flightRow.saturation.perSecond) * 100;
    lines.push(
      '',
      `Room relay vs flight relay on the same replicas: ${share.toFixed(0)}% of its saturation throughput; ` +
        `p99 at ${RATE}/s ${roomRow.fixed.p99.toFixed(2)} ms vs ${flightRow.fixed.p99.toFixed(2)} ms.`,
    );
  }
  const costed = rows.filter((row) => row.saturation.cost);
  if (costed.length) {
    lines.push(
      '',
      '| cost per relayed message, at saturation | server CPU µs (per process) | server CPU µs total | load generator CPU µs | Redis commands | top Redis commands per message |',
      '|---|---|---:|---:|---:|---|',
    );
    for (const { scenario, saturation } of costed) {
      const cost = saturation.cost as MessageCost;
      const perProcess = Object.entries(cost.cpuMicros);
      const total = perProcess.reduce((sum, [, micros]) => sum + micros, 0);
      lines.push(
        `| ${scenario} | ${perProcess.map(([label, micros]) => `${label} ${micros.toFixed(1)}`).join(', ')} | ${total.toFixed(1)} | ${cost.generatorMicros.toFixed(1)} | ${cost.redisCommands === null ? '-' : cost.redisCommands.toFixed(2)} | ${cost.redisTop || '-'} |`,
      );
    }
  }
  const waited = rows.filter((row) => row.fixedWaits);
  if (waited.length) {
    lines.push(
      '',
      `| run-queue wait at ${settings.rate}/s offered (kernel schedstat, main thread) | per process: µs per wake-up (ms waited per s) |`,
      '|---|---|',
    );
    for (const { scenario, fixedWaits } of waited) {
      const cells = Object.entries(fixedWaits as Record<string, RunQueueWait>).map(
        ([label, wait]) => `${label} ${wait.microsPerWakeup.toFixed(0)} (${wait.msPerSecond.toFixed(0)})`,
      );
      lines.push(`| ${scenario} | ${cells.join(', ')} |`);
    }
  }
  if (connectRows.length) {
    lines.push(
      '',
      '| connects (to ready) | clients | connects/s | last ready after | p50 ms | p99 ms | retried | failed |',
      '|---|---:|---:|---:|---:|---:|---:|---:|',
    );
    for (const row of connectRows) {
      lines.push(
        `| ${row.label} | ${row.total} | ${row.perSecond.toFixed(0)} | ${row.seconds.toFixed(2)} s | ${row.p50.toFixed(1)} | ${row.p99.toFixed(1)} | ${row.retries} | ${row.failed} |`,
      );
    }
  }
  if (memoryRows.length) {
    lines.push('', `| idle memory, ${IDLE} sockets | RSS per socket | heap per socket |`, '|---|---:|---:|');
    for (const row of memoryRows) {
      lines.push(
        `| ${row.label} | ${(row.rssPerSocket / 1024).toFixed(1)} KB | ${(row.heapPerSocket / 1024).toFixed(1)} KB |`,
      );
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
