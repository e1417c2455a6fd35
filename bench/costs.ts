import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';

/** A process whose CPU time a scenario charges to the messages it relays. */
export interface CostSubject {
  label: string;
  pid: number;
}

/** What one relayed message cost during a measured window. */
export interface MessageCost {
  /** CPU microseconds per delivered message, per process (user + system, from /proc/<pid>/stat). */
  cpuMicros: Record<string, number>;
  /** The load generator's own CPU per message: a slow generator must not pass for a fast server. */
  generatorMicros: number;
  /** Redis commands per delivered message (INFO commandstats), and the commands behind them; null without Redis. */
  redisCommands: number | null;
  redisTop: string;
}

const TICKS_PER_SECOND = 100;

/** utime + stime of a process in clock ticks; 0 once it is gone. */
function cpuTicksOf(pid: number): number {
  try {
    // The command name (field 2) may hold spaces: count fields from after its closing parenthesis.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/** Calls per command name from INFO commandstats (`cmdstat_spublish:calls=12,...`). */
async function commandCalls(redis: Redis): Promise<Map<string, number>> {
  const calls = new Map<string, number>();
  for (const line of (await redis.info('commandstats')).split('\n')) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
    if (match) calls.set(match[1] as string, Number(match[2]));
  }
  return calls;
}

/**
 * Reads the CPU counters of the scenario's processes and Redis's command counts at the start and end of a
 * measured window, and divides what was spent by the messages delivered in it.
 */
export class CostMeter {
  private readonly redis: Redis[];
  private ticksAtStart = new Map<number, number>();
  private generatorAtStart = process.cpuUsage();
  private callsAtStart: Map<string, number>[] = [];

  constructor(
    private readonly subjects: CostSubject[],
    redisUrls: string[] = [],
  ) {
    this.redis = redisUrls.map((url) => new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1 }));
  }

  async begin(): Promise<void> {
    this.callsAtStart = await Promise.all(this.redis.map((redis) => commandCalls(redis)));
    this.ticksAtStart = new Map(this.subjects.map(({ pid }) => [pid, cpuTicksOf(pid)]));
    this.generatorAtStart = process.cpuUsage();
  }

  async end(delivered: number): Promise<MessageCost> {
    const generator = process.cpuUsage(this.generatorAtStart);
    const ticks = new Map(this.subjects.map(({ pid }) => [pid, cpuTicksOf(pid)]));
    const callsAtEnd = await Promise.all(this.redis.map((redis) => commandCalls(redis)));
    const perMessage = (micros: number) => (delivered > 0 ? micros / delivered : NaN);
    const cpuMicros: Record<string, number> = {};
    for (const { label, pid } of this.subjects) {
      const spent = (ticks.get(pid) ?? 0) - (this.ticksAtStart.get(pid) ?? 0);
      cpuMicros[label] = perMessage((spent * 1_000_000) / TICKS_PER_SECOND);
    }
    const byCommand = new Map<string, number>();
    callsAtEnd.forEach((calls, node) => {
      for (const [command, count] of calls) {
        const before = this.callsAtStart[node]?.get(command) ?? 0;
        // The meter's own INFO is not the scenario's work.
        if (command !== 'info' && count > before)
          byCommand.set(command, (byCommand.get(command) ?? 0) + count - before);
      }
    });
    const total = [...byCommand.values()].reduce((sum, count) => sum + count, 0);
    const redisTop = [...byCommand]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([command, count]) => `${command} ${perMessage(count).toFixed(2)}`)
      .join(', ');
    return {
      cpuMicros,
      generatorMicros: perMessage(generator.user + generator.system),
      redisCommands: this.redis.length > 0 ? perMessage(total) : null,
      redisTop,
    };
  }

  close(): void {
    for (const redis of this.redis) redis.disconnect();
  }
}

/** The main thread's scheduler counters (/proc/<pid>/schedstat): on-CPU ns, run-queue wait ns, times scheduled. */
function schedstatOf(pid: number): [number, number, number] {
  try {
    const [onCpu, waiting, slices] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(' ').map(Number);
    return [onCpu ?? 0, waiting ?? 0, slices ?? 0];
  } catch {
    return [0, 0, 0];
  }
}

/** How long a process stood runnable but off CPU during a window: what sharing the cores adds to each hop. */
export interface RunQueueWait {
  /** Mean wait each time it was woken (a message reaching it waits this long before it runs, on average). */
  microsPerWakeup: number;
  /** Milliseconds per second it stood waiting. */
  msPerSecond: number;
}

/**
 * Reads the kernel's run-queue wait of each process (the load generator included) over a window. With more
 * busy processes than cores, a message crossing replica, Redis and replica waits for a core at every hop.
 */
export class RunQueueMeter {
  private readonly pids: CostSubject[];
  private atStart = new Map<number, [number, number, number]>();
  private startedAt = 0;

  constructor(subjects: CostSubject[]) {
    this.pids = [...subjects, { label: 'generator', pid: process.pid }];
  }

  begin(): void {
    this.atStart = new Map(this.pids.map(({ pid }) => [pid, schedstatOf(pid)]));
    this.startedAt = performance.now();
  }

  end(): Record<string, RunQueueWait> {
    const seconds = (performance.now() - this.startedAt) / 1000;
    const waits: Record<string, RunQueueWait> = {};
    for (const { label, pid } of this.pids) {
      const [, waitedBefore, slicesBefore] = this.atStart.get(pid) ?? [0, 0, 0];
      const [, waited, slices] = schedstatOf(pid);
      const waitedNs = waited - waitedBefore;
      waits[label] = {
        microsPerWakeup: slices > slicesBefore ? waitedNs / 1000 / (slices - slicesBefore) : 0,
        msPerSecond: waitedNs / 1e6 / seconds,
      };
    }
    return waits;
  }
}
