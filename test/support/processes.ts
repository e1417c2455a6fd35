import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process';

/** A child we started; stopped only by its own PID, waiting for its exit. */
export class ManagedProcess {
  private exited: Promise<number | null>;
  output = '';

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => this.append(chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.append(chunk));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static start(name: string, command: string, args: string[], options: SpawnOptions = {}): ManagedProcess {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    child.once('error', (error) => {
      throw new Error(`${name}: could not start ${command}: ${error.message}`);
    });
    return new ManagedProcess(name, child);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async waitForOutput(pattern: RegExp, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.output)) {
      if (!this.running) throw new Error(`${this.name} exited before printing ${pattern}:\n${this.tail()}`);
      if (Date.now() > deadline)
        throw new Error(`${this.name} did not print ${pattern} in ${timeoutMs} ms:\n${this.tail()}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** Freezes this PID (SIGSTOP): it holds its sockets but answers nothing, as a partitioned or stalled one. */
  freeze(): void {
    if (this.running) this.child.kill('SIGSTOP');
  }

  /** Lets a frozen PID go on (SIGCONT). */
  thaw(): void {
    if (this.running) this.child.kill('SIGCONT');
  }

  /** Sends `signal` to this PID and waits for the exit (SIGKILL after `graceMs`). */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<number | null> {
    if (this.running && this.child.pid) this.child.kill(signal);
    const timer = setTimeout(() => {
      if (this.running) this.child.kill('SIGKILL');
    }, graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  tail(lines = 40): string {
    return this.output.split('\n').slice(-lines).join('\n');
  }

  private append(chunk: Buffer): void {
    this.output += chunk.toString();
    if (this.output.length > 200_000) this.output = this.output.slice(-100_000);
  }
}
