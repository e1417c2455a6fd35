/** The last `capacity` log lines of this process, for GET /logs: a fixed array used as a ring, so memory stays bounded. */
export class LogRingBuffer {
  private readonly slots: string[];
  private next = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    this.slots = new Array<string>(capacity);
  }

  /** A pino destination: each write is one or more complete lines. */
  write(chunk: string): void {
    if (this.capacity === 0) return;
    for (const line of chunk.split('\n')) {
      if (line.length === 0) continue;
      this.slots[this.next] = line;
      this.next = (this.next + 1) % this.capacity;
      this.size = Math.min(this.size + 1, this.capacity);
    }
  }

  /** Oldest first. */
  lines(): string[] {
    const start = (this.next - this.size + this.capacity) % this.capacity;
    return Array.from({ length: this.size }, (_, index) => this.slots[(start + index) % this.capacity]!);
  }
}
