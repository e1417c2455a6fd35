import type { Writable } from 'node:stream';

/**
 * Coalesces what is written to some connections during one turn of the event loop into one write each: the
 * first write of a turn corks the sockets, and they are uncorked once the turn's I/O callbacks have run
 * (setImmediate). Under load, the publishes of every message a replica handled in that turn go out in one
 * system call instead of one each (the profile's largest item); an idle replica's lone publish waits only for
 * the end of its turn. Unlike ioredis's auto-pipelining, commands are not held back in a pipeline object.
 */
export class TurnBatchedWrites {
  private readonly corked: Writable[] = [];
  private scheduled = false;

  constructor(private readonly streams: () => Writable[]) {}

  /** Call before writing: the writes of this turn are sent together at its end. */
  begin(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    for (const stream of this.streams()) {
      stream.cork();
      this.corked.push(stream);
    }
    setImmediate(this.flush);
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    // A stream replaced by a reconnect meanwhile is uncorked too: it is closed, and that changes nothing.
    for (const stream of this.corked.splice(0)) stream.uncork();
  };
}
