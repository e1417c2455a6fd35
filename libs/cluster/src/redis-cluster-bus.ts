import type { Logger } from '@nestjs/common';
import type { ClusterBus, SessionMessage } from '@rendezvous/delivery';
import { decode, encode } from 'notepack.io';
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
 */
export class RedisClusterBus implements ClusterBus {
  private readonly sessionPrefix: string;
  /** The same prefix as bytes, to recognise a session channel without decoding every channel name. */
  private readonly sessionPrefixBytes: Buffer;
  private readonly broadcastChannel: string;
  private sessionHandler: (sessionId: string, message: SessionMessage) => void = () => undefined;
  private readonly broadcastHandlers: ((topic: string, payload: unknown) => void)[] = [];
  /** Sessions held here, to subscribe again after a Redis Cluster restart. */
  private readonly held = new Set<string>();

  constructor(
    private readonly redis: RedisConnections,
    keyPrefix: string,
    private readonly replicaId: string,
    private readonly logger: Logger,
  ) {
    this.sessionPrefix = `${keyPrefix}d:`;
    this.sessionPrefixBytes = Buffer.from(this.sessionPrefix);
    this.broadcastChannel = `${keyPrefix}bus`;
    redis.sub.on('smessageBuffer', (channel: Buffer, message: Buffer) => this.received(channel, message));
    this.subscribe(this.broadcastChannel);
    redis.onSubscriptionsConfirmed(() => this.renewSubscriptions());
  }

  hold(sessionId: string): void {
    this.held.add(sessionId);
    this.subscribe(this.sessionChannel(sessionId));
  }

  release(sessionId: string): void {
    this.held.delete(sessionId);
    this.redis.sub.sunsubscribe(this.sessionChannel(sessionId)).catch(() => undefined);
  }

  toSession(sessionId: string, message: SessionMessage): void {
    this.publish(this.sessionChannel(sessionId), encode(message));
  }

  broadcast(topic: string, payload: unknown): void {
    this.publish(this.broadcastChannel, encode({ r: this.replicaId, t: topic, p: payload } satisfies Broadcast));
  }

  onSessionMessage(handler: (sessionId: string, message: SessionMessage) => void): void {
    this.sessionHandler = handler;
  }

  onBroadcast(handler: (topic: string, payload: unknown) => void): void {
    this.broadcastHandlers.push(handler);
  }

  close(): void {
    this.broadcastHandlers.length = 0;
  }

  private sessionChannel(sessionId: string): string {
    return `${this.sessionPrefix}${sessionId}`;
  }

  /** SSUBSCRIBE is idempotent: renewing every channel costs one command each and loses nothing. */
  private renewSubscriptions(): void {
    this.subscribe(this.broadcastChannel);
    for (const sessionId of this.held) this.subscribe(this.sessionChannel(sessionId));
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

  private received(channel: Buffer, frame: Buffer): void {
    const prefix = this.sessionPrefixBytes;
    try {
      if (channel.length > prefix.length && channel.compare(prefix, 0, prefix.length, 0, prefix.length) === 0) {
        this.sessionHandler(channel.toString('latin1', prefix.length), decode(frame) as SessionMessage);
      } else if (channel.toString() === this.broadcastChannel) {
        const { r, t, p } = decode(frame) as Broadcast;
        if (r !== this.replicaId) for (const handler of this.broadcastHandlers) handler(t, p);
      }
    } catch (error) {
      this.logger.warn(`Ignored a malformed message on ${channel.toString()}: ${(error as Error).message}`);
    }
  }
}
