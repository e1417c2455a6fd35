import type { Logger } from '@nestjs/common';
import { type ExpiredRoomsNotice, roomsExpiredChannel } from '@rendezvous/rooms';
import type { RedisConnections } from './redis.connections.js';

/** The scheduler's side: one message per run naming the transfer rooms it deleted, for every gateway replica. */
export function publishExpiredRooms(redis: RedisConnections, keyPrefix: string, logger: Logger): ExpiredRoomsNotice {
  const channel = roomsExpiredChannel(keyPrefix);
  return async (codes) => {
    try {
      await redis.command.publish(channel, JSON.stringify({ codes }));
    } catch (error) {
      // The rooms are deleted either way; their sockets learn it when they next use the room.
      logger.warn(`Expired rooms not announced (${codes.length}): ${(error as Error).message}`);
    }
  };
}

/** A gateway's side: `onExpired` gets the codes of every announcement (ioredis subscribes again after a restart). */
export function subscribeExpiredRooms(
  redis: RedisConnections,
  keyPrefix: string,
  logger: Logger,
  onExpired: (codes: string[]) => Promise<void>,
): void {
  const channel = roomsExpiredChannel(keyPrefix);
  redis.sub.on('message', (from: string, message: string) => {
    if (from !== channel) return;
    let codes: unknown;
    try {
      codes = (JSON.parse(message) as { codes?: unknown }).codes;
    } catch {
      codes = null;
    }
    if (!Array.isArray(codes) || !codes.every((code) => typeof code === 'string')) {
      logger.warn(`Ignored a malformed ${channel} message`);
      return;
    }
    void onExpired(codes);
  });
  redis.sub.subscribe(channel).catch((error: Error) => logger.warn(`Subscribing to ${channel}: ${error.message}`));
}
