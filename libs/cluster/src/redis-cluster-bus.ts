import type { Logger } from '@nestjs/common';
import type { ClusterBus, DeliveryOutcome, OutboxPolicy, SessionMessage } from '@rendezvous/delivery';
import { decode, encode } from 'notepack.io';
import { DeliveryConfirmations } from './delivery-confirmations.js';
import type { RedisConnections } from './redis.connections.js';

interface Broadcast {
  /** The sending replica, which skips its own broadcasts. */
  r: string;
  t: string;
  p: unknown;
}

/**
 * The cluster bus on Redis sharded Pub/Sub: a channel per session (`P d:<session>`, subscribed only by the
 * replica holding it, so one session's messages keep their order) and one broadcast channel (`P bus`). Frames are
 * MessagePack, so binary payloads survive. No hash tags: the session channels spread over a Redis Cluster's masters.
 *
 * An event published to nobody (the session is parked, or its replica died and is not yet known dead) goes to
 * the session's outbox in the live state, and so does one its holder does not confirm in time (frozen, cut off,
 * or dead with it in flight); the replica that takes the session up subscribes first, then takes the outbox,
 * and hands over queued events before the live ones that arrived meanwhile.
 */
export class RedisClusterBus implements ClusterBus {
  private readonly sessionPrefix: string;
  /** The same prefix as bytes, to recognise a session channel without decoding every channel name. */
  private readonly sessionPrefixBytes: Buffer;
  private readonly broadcastChannel: string;
  private sessionHandler: (sessionId: string, message: SessionMessage) => boolean = () => false;
  private readonly confirmChannel: string;
  private readonly confirmations: DeliveryConfirmations;
  private readonly broadcastHandlers: ((topic: string, payload: unknown) => void)[] = [];
  /** Sessions held here, to subscribe again after a Redis Cluster restart. */
  private readonly held = new Set<string>();
  /** Live frames of sessions whose outbox is being taken, handed over after it. */
  private readonly catchingUp = new Map<string, Buffer[]>();

  constructor(
    private readonly redis: RedisConnections,
    keyPrefix: string,
    private readonly replicaId: string,
    private readonly logger: Logger,
    private readonly outbox: OutboxPolicy,
  ) {
    this.sessionPrefix = `${keyPrefix}d:`;
    this.sessionPrefixBytes = Buffer.from(this.sessionPrefix);
    this.broadcastChannel = `${keyPrefix}bus`;
    const confirmChannelOf = (replica: string) => `${keyPrefix}c:${replica}`;
    this.confirmChannel = confirmChannelOf(replicaId);
    this.confirmations = new DeliveryConfirmations(confirmChannelOf, (channel, frame) => this.publish(channel, frame));
    redis.sub.on('smessageBuffer', (channel: Buffer, message: Buffer) => this.received(channel, message));
    this.subscribe(this.broadcastChannel);
    this.subscribe(this.confirmChannel);
    redis.onSubscriptionsConfirmed(() => this.renewSubscriptions());
  }

  async hold(sessionId: string): Promise<void> {
    this.held.add(sessionId);
    const buffered: Buffer[] = [];
    this.catchingUp.set(sessionId, buffered);
    try {
      await this.redis.sub.ssubscribe(this.sessionChannel(sessionId));
      for (const frame of await this.outbox.store.take(sessionId)) this.dispatch(sessionId, frame);
    } catch (error) {
      this.logger.warn(`Taking up ${sessionId}'s messages: ${(error as Error).message}`);
    } finally {
      if (this.catchingUp.get(sessionId) === buffered) this.catchingUp.delete(sessionId);
      for (const frame of buffered) this.dispatch(sessionId, frame);
    }
  }

  release(sessionId: string): void {
    this.held.delete(sessionId);
    this.redis.sub.sunsubscribe(this.sessionChannel(sessionId)).catch(() => undefined);
  }

  async toSession(sessionId: string, message: SessionMessage): Promise<DeliveryOutcome> {
    if (message.kind !== 'event') {
      this.publish(this.sessionChannel(sessionId), encode(message) as Buffer);
      return 'delivered';
    }
    const { id, confirmed } = this.confirmations.expect();
    const confirm: [string, number, number] = [this.replicaId, id, Date.now()];
    const frame = encode({ ...message, confirm } satisfies SessionMessage) as Buffer;
    const channel = this.sessionChannel(sessionId);
    try {
      if ((await this.receivers(channel, frame)) > 0) {
        if (await confirmed) return 'delivered';
        return await this.unconfirmed(sessionId, channel, frame);
      }
      this.confirmations.cancel(id);
      const kept = await this.outbox.store.append(sessionId, frame, this.outbox.cap, this.outbox.ttlMs, false);
      if (kept !== 'held') return kept;
      // Its replica took it up (subscribed, then took the outbox) after the first publish: publish again. Still
      // nobody means that replica is gone too (not yet known dead): keep it for whoever takes the session up.
      if ((await this.receivers(channel, frame)) > 0) return 'delivered';
      return await this.keepForHolder(sessionId, channel, frame);
    } catch (error) {
      this.logger.warn(`Delivering to ${sessionId}: ${(error as Error).message}`);
      return 'unavailable';
    }
  }

  async keep(sessionId: string, message: SessionMessage): Promise<DeliveryOutcome> {
    if (message.kind !== 'event') return 'gone';
    try {
      return await this.append(sessionId, encode(message) as Buffer);
    } catch (error) {
      this.logger.warn(`Keeping a message for ${sessionId}: ${(error as Error).message}`);
      return 'unavailable';
    }
  }

  broadcast(topic: string, payload: unknown): void {
    this.publish(this.broadcastChannel, encode({ r: this.replicaId, t: topic, p: payload } satisfies Broadcast));
  }

  onSessionMessage(handler: (sessionId: string, message: SessionMessage) => boolean): void {
    this.sessionHandler = handler;
  }

  onBroadcast(handler: (topic: string, payload: unknown) => void): void {
    this.broadcastHandlers.push(handler);
  }

  close(): void {
    this.broadcastHandlers.length = 0;
    this.confirmations.close();
  }

  private sessionChannel(sessionId: string): string {
    return `${this.sessionPrefix}${sessionId}`;
  }

  /**
   * Its holder did not confirm it: kept for whoever takes the session up. Its client drops a second copy, should
   * the silent replica have written it after all.
   */
  private async unconfirmed(sessionId: string, channel: string, frame: Buffer): Promise<DeliveryOutcome> {
    const kept = await this.outbox.store.append(sessionId, frame, this.outbox.cap, this.outbox.ttlMs, false);
    if (kept !== 'held') return kept;
    return await this.keepForHolder(sessionId, channel, frame);
  }

  /**
   * Queues a message while a replica is marked as holding the session, and tells that replica to take its outbox
   * again: it may have subscribed and taken the outbox after this sender's last publish found nobody (a resume
   * racing the send), and would otherwise never look at the outbox again. Nobody subscribed means whoever takes
   * the session up next takes it with the rest.
   */
  private async keepForHolder(sessionId: string, channel: string, frame: Buffer): Promise<DeliveryOutcome> {
    const forced = await this.append(sessionId, frame);
    if (forced === 'queued') this.publish(channel, encode({ kind: 'outbox' } satisfies SessionMessage) as Buffer);
    return forced;
  }

  /** Takes what was queued for a session held here and hands it over. */
  private async takeQueued(sessionId: string): Promise<void> {
    // A nudge that arrives while the outbox is being taken waits with the live frames and comes after the take.
    if (!this.held.has(sessionId)) return;
    try {
      for (const frame of await this.outbox.store.take(sessionId)) this.dispatch(sessionId, frame);
    } catch (error) {
      this.logger.warn(`Taking ${sessionId}'s outbox: ${(error as Error).message}`);
    }
  }

  /** Appends whether or not a replica holds the session. */
  private async append(sessionId: string, frame: Buffer): Promise<DeliveryOutcome> {
    const { store, cap, ttlMs } = this.outbox;
    const result = await store.append(sessionId, frame, cap, ttlMs, true);
    return result === 'held' ? 'queued' : result;
  }

  /** Publishes; how many replicas were subscribed (0 or 1). */
  private async receivers(channel: string, frame: Buffer): Promise<number> {
    return Number(await this.redis.pub.spublish(channel, frame));
  }

  /**
   * SSUBSCRIBE is idempotent: renewing every channel costs one command each and loses nothing; what was queued
   * for a session while its subscription was down is taken with it.
   */
  private renewSubscriptions(): void {
    this.subscribe(this.broadcastChannel);
    this.subscribe(this.confirmChannel);
    for (const sessionId of this.held) void this.hold(sessionId);
    this.logger.log(`Renewed the subscriptions of ${this.held.size} sessions`);
  }

  private subscribe(channel: string): void {
    this.redis.sub.ssubscribe(channel).catch((error: Error) => {
      this.logger.warn(`Subscribing to ${channel}: ${error.message}`);
    });
  }

  private publish(channel: string, frame: Buffer): void {
    this.redis.pub.spublish(channel, frame).catch((error: Error) => {
      this.logger.warn(`Publishing on ${channel}: ${error.message}`);
    });
  }

  /** Hands a session's message over; an event written to its client is confirmed to its sender. */
  private dispatch(sessionId: string, frame: Buffer): void {
    try {
      const message = decode(frame) as SessionMessage;
      if (message.kind === 'outbox') return void this.takeQueued(sessionId);
      const written = this.sessionHandler(sessionId, message);
      if (written && message.kind === 'event' && message.confirm) {
        const [replica, id, sentAt] = message.confirm;
        this.confirmations.confirm(replica, id, sentAt);
      }
    } catch (error) {
      this.logger.warn(`Ignored a malformed message for ${sessionId}: ${(error as Error).message}`);
    }
  }

  private received(channel: Buffer, frame: Buffer): void {
    const prefix = this.sessionPrefixBytes;
    try {
      if (channel.length > prefix.length && channel.compare(prefix, 0, prefix.length, 0, prefix.length) === 0) {
        const sessionId = channel.toString('latin1', prefix.length);
        const buffered = this.catchingUp.size > 0 ? this.catchingUp.get(sessionId) : undefined;
        if (buffered) buffered.push(frame);
        else this.dispatch(sessionId, frame);
      } else if (channel.toString() === this.confirmChannel) {
        this.confirmations.received(frame);
      } else if (channel.toString() === this.broadcastChannel) {
        const { r, t, p } = decode(frame) as Broadcast;
        if (r !== this.replicaId) for (const handler of this.broadcastHandlers) handler(t, p);
      }
    } catch (error) {
      this.logger.warn(`Ignored a malformed message on ${channel.toString()}: ${(error as Error).message}`);
    }
  }
}
