import { Logger } from '@nestjs/common';

const DIGEST_INTERVAL_MS = 10_000;

/**
 * Refused HTTP requests (4xx) are counted and told as one line per 10 s instead of a line each: a flood of bad
 * requests from anyone on the Internet would otherwise fill the log collector and push everything else out of
 * the /logs buffer. Each is still logged at debug level.
 */
export class RefusalDigest {
  private readonly logger = new Logger('Http');
  private counts = new Map<number, number>();
  private timer: NodeJS.Timeout | null = null;

  count(status: number): void {
    this.counts.set(status, (this.counts.get(status) ?? 0) + 1);
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), DIGEST_INTERVAL_MS);
      this.timer.unref();
    }
  }

  flush(): void {
    this.timer = null;
    if (this.counts.size === 0) return;
    const parts = [...this.counts].sort(([a], [b]) => a - b).map(([status, count]) => `${status} x${count}`);
    this.counts = new Map();
    this.logger.warn(`Refused HTTP requests in the last ${DIGEST_INTERVAL_MS / 1000} s: ${parts.join(', ')}`);
  }
}
