import type { LiveState } from '@rendezvous/signaling';
import { MemoryFlightStore, MemoryRoomChannelStore } from './memory-flights.js';
import { MemoryReplicaRegistry } from './memory-replicas.js';
import { MemoryOutboxStore, MemoryParkingStore } from './memory-parking.js';
import { MemoryPresenceStore, MemorySessionStore } from './memory-sessions.js';
import { MemoryTables } from './memory-tables.js';
import type { RedisClient } from '../redis-keys.js';
import { RedisFlightStore, RedisRoomChannelStore } from './redis-flights.js';
import { RedisReplicaRegistry } from './redis-replicas.js';
import { RedisLiveStateScripts } from './redis-scripts.js';
import { RedisOutboxStore, RedisParkingStore } from './redis-parking.js';
import { RedisPresenceStore, RedisSessionStore } from './redis-sessions.js';

/** Standalone live state: every role over one set of in-process tables. */
export function createMemoryLiveState(): LiveState {
  const tables = new MemoryTables();
  return {
    sessions: new MemorySessionStore(tables),
    presence: new MemoryPresenceStore(tables),
    flights: new MemoryFlightStore(tables),
    roomChannels: new MemoryRoomChannelStore(tables),
    parking: new MemoryParkingStore(tables),
    outboxes: new MemoryOutboxStore(tables),
    replicas: new MemoryReplicaRegistry(tables),
  };
}

/** Cluster live state: every role over one Redis (or Redis Cluster) client, its `{live}` key space and scripts. */
export function createRedisLiveState(redis: RedisClient, keyPrefix: string): LiveState {
  const scripts = new RedisLiveStateScripts(redis, keyPrefix);
  return {
    sessions: new RedisSessionStore(scripts),
    presence: new RedisPresenceStore(scripts),
    flights: new RedisFlightStore(scripts),
    roomChannels: new RedisRoomChannelStore(scripts),
    parking: new RedisParkingStore(scripts),
    outboxes: new RedisOutboxStore(scripts),
    replicas: new RedisReplicaRegistry(scripts),
  };
}
