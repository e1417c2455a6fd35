/** Starts a job's timer: the scheduler app backs it with @nestjs/schedule, a standalone gateway with a plain timer. */
export interface JobTimers {
  every(name: string, intervalMs: number, tick: () => void): void;
  /** Stops this owner's timers, where the owner is responsible for them. */
  stop?(): void;
}
export const JOB_TIMERS = Symbol('JOB_TIMERS');

/** Plain unref'd timers, for the jobs a standalone gateway runs itself; cleared on shutdown. */
export class ProcessJobTimers implements JobTimers {
  private readonly timers: NodeJS.Timeout[] = [];

  every(_name: string, intervalMs: number, tick: () => void): void {
    this.timers.push(setInterval(tick, intervalMs).unref());
  }

  stop(): void {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
  }
}
