import { Inject, Injectable } from '@nestjs/common';
import type { ClientConnection } from './client-connection.js';
import { CLUSTER_BUS, type ClusterBus } from './cluster-bus.js';

/**
 * This replica's client connections, of every binding: by session, by network group (presence) and by
 * multiparty room (room-wide events). Local bookkeeping only, never cluster truth.
 */
@Injectable()
export class ConnectionRegistry {
  private readonly bySession = new Map<string, ClientConnection>();
  private readonly byGroup = new Map<string, Set<ClientConnection>>();
  private readonly byRoom = new Map<string, Set<ClientConnection>>();

  constructor(@Inject(CLUSTER_BUS) private readonly bus: ClusterBus) {}

  /** The connection now holds its session (a newer one replaces an older one of the same session). */
  add(connection: ClientConnection): void {
    this.bySession.set(connection.sessionId, connection);
    addTo(this.byGroup, connection.group, connection);
  }

  remove(connection: ClientConnection): void {
    if (this.bySession.get(connection.sessionId) === connection) {
      this.bySession.delete(connection.sessionId);
      this.bus.release(connection.sessionId);
    }
    removeFrom(this.byGroup, connection.group, connection);
  }

  get(sessionId: string): ClientConnection | undefined {
    return this.bySession.get(sessionId);
  }

  inGroup(group: string): ReadonlySet<ClientConnection> | undefined {
    return this.byGroup.get(group);
  }

  /** A copy: callers may remove connections while they go through it. */
  all(): Map<string, ClientConnection> {
    return new Map(this.bySession);
  }

  groups(): string[] {
    return [...this.byGroup.keys()];
  }

  joinRoom(roomId: string, connection: ClientConnection): void {
    addTo(this.byRoom, roomId, connection);
  }

  leaveRoom(roomId: string, connection: ClientConnection): void {
    removeFrom(this.byRoom, roomId, connection);
  }

  inRoom(roomId: string): ReadonlySet<ClientConnection> | undefined {
    return this.byRoom.get(roomId);
  }
}

function addTo<K>(index: Map<K, Set<ClientConnection>>, key: K, connection: ClientConnection): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(connection);
}

function removeFrom<K>(index: Map<K, Set<ClientConnection>>, key: K, connection: ClientConnection): void {
  const set = index.get(key);
  set?.delete(connection);
  if (set?.size === 0) index.delete(key);
}
