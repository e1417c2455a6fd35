import { randomBytes } from 'node:crypto';
import type { Logger } from '@nestjs/common';
import calculateSlot from 'cluster-key-slot';
import type { Cluster } from 'ioredis';

/** A whole round trip (subscribe, publish, receive) must finish within this, or the probe starts over. */
const PROBE_TIMEOUT_MS = 2_000;

/**
 * On a Redis Cluster the subscriber holds one connection per master and subscribes again on its own after an
 * outage, some time after the cluster reports ready. Until then this replica would miss what other replicas send
 * its sockets, so it is not ready: a probe message sent now through every master must come back first.
 * Seen with ioredis 5.11: after a restarted cluster makes it reconnect twice in a row, some channels are not
 * subscribed again; owners of subscriptions renew them after each confirmation (`onConfirmed`).
 */
export class ShardedSubscriptionProbe {
  private confirmed = false;
  private running: Promise<void> | null = null;
  private stopped = false;
  private awaited: { token: string; missing: Set<string>; done: () => void } | null = null;
  private readonly prefix: string;
  private readonly confirmedListeners: (() => void)[] = [];

  constructor(
    private readonly pub: Cluster,
    private readonly sub: Cluster,
    keyPrefix: string,
    replicaId: string,
    private readonly logger: Logger,
  ) {
    // No hash tag: the channels must spread over the masters.
    this.prefix = `${keyPrefix}probe:${replicaId}:`;
    sub.on('smessageBuffer', (channel: Buffer, message: Buffer) => {
      // Every relayed message passes here: decode nothing unless a probe is waiting.
      if (this.awaited) this.received(String(channel), String(message));
    });
    sub.on('ready', () => this.check());
    sub.on('+node', () => this.check());
  }

  get isConfirmed(): boolean {
    return this.confirmed;
  }

  /** Called after every confirmation: ioredis may have subscribed again to only part of what it had. */
  onConfirmed(listener: () => void): void {
    this.confirmedListeners.push(listener);
  }

  /** Probes (again) until a round trip through every master succeeds; readiness waits meanwhile. */
  check(): void {
    if (this.stopped) return;
    this.confirmed = false;
    this.running ??= this.probeUntilConfirmed().finally(() => {
      this.running = null;
    });
  }

  stop(): void {
    this.stopped = true;
  }

  private async probeUntilConfirmed(): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        await this.probeOnce();
        this.confirmed = true;
        if (attempt > 1) this.logger.log('Sharded subscriptions confirmed on every Redis Cluster master');
        for (const listener of this.confirmedListeners) listener();
        return;
      } catch (error) {
        // Quiet while a restarting cluster settles; then say why, every tenth attempt.
        if (attempt % 10 === 0) {
          this.logger.warn(`Sharded subscriptions not confirmed after ${attempt} probes: ${(error as Error).message}`);
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(100 * attempt, 1_000)));
      }
    }
  }

  private async probeOnce(): Promise<void> {
    const channels = this.channelPerMaster();
    if (channels.length === 0) throw new Error('no slot map yet');
    const token = randomBytes(6).toString('hex');
    const answered = new Promise<void>((resolve) => {
      this.awaited = { token, missing: new Set(channels), done: resolve };
    });
    // The subscribe and publish are under the timeout too: a command sent on a connection that dies while the
    // cluster comes back may never settle, and a probe waiting on it would keep the replica unready for good.
    const roundTrip = (async () => {
      for (const channel of channels) await this.sub.ssubscribe(channel);
      await Promise.all(channels.map((channel) => this.pub.spublish(channel, token)));
      await answered;
    })();
    roundTrip.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        roundTrip,
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('probe timed out')), PROBE_TIMEOUT_MS);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      this.awaited = null;
    }
  }

  /** One channel in a slot of each master, from the subscriber's current slot map. */
  private channelPerMaster(): string[] {
    const masters = new Map<string, string>();
    const owners = new Set(this.sub.slots.map((nodes) => nodes[0]).filter(Boolean));
    for (let i = 0; masters.size < owners.size && i < 10_000; i++) {
      const channel = `${this.prefix}${i}`;
      const owner = this.sub.slots[calculateSlot(channel)]?.[0];
      if (owner && !masters.has(owner)) masters.set(owner, channel);
    }
    return [...masters.values()];
  }

  private received(channel: string, message: string): void {
    const awaited = this.awaited;
    if (!awaited || message !== awaited.token) return;
    awaited.missing.delete(channel);
    if (awaited.missing.size === 0) awaited.done();
  }
}
