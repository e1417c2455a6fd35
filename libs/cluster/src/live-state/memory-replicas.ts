import type { ClusterCounts, ReplicaRegistry } from '@rendezvous/signaling';
import type { MemoryTables } from './memory-tables.js';

export class MemoryReplicaRegistry implements ReplicaRegistry {
  constructor(private readonly tables: MemoryTables) {}

  async heartbeat(replicaId: string, nowMs: number): Promise<boolean> {
    const known = this.tables.replicas.has(replicaId);
    this.tables.replicas.set(replicaId, nowMs);
    return known;
  }

  async deadReplicas(nowMs: number, timeoutMs: number): Promise<string[]> {
    return [...this.tables.replicas].filter(([, seen]) => seen < nowMs - timeoutMs).map(([id]) => id);
  }

  async claimDeadReplica(replicaId: string, lockMs: number, holder: string): Promise<string[] | null> {
    const now = Date.now();
    if ((this.tables.reapLocks.get(replicaId)?.untilMs ?? 0) > now) return null;
    this.tables.reapLocks.set(replicaId, { holder, untilMs: now + lockMs });
    return this.tables.sessionsOf(replicaId);
  }

  async renewReapLock(replicaId: string, lockMs: number, holder: string): Promise<boolean> {
    const lock = this.tables.reapLocks.get(replicaId);
    const now = Date.now();
    if (!lock || lock.holder !== holder || lock.untilMs <= now) return false;
    lock.untilMs = now + lockMs;
    return true;
  }

  async forgetReplica(replicaId: string): Promise<void> {
    this.tables.replicas.delete(replicaId);
    this.tables.reapLocks.delete(replicaId);
  }

  async counts(nowMs: number): Promise<ClusterCounts> {
    const { sessions, parked, flights, replicas } = this.tables;
    const perReplica = new Map<string, number>();
    for (const session of sessions.values()) {
      if (parked.has(session.id)) continue;
      perReplica.set(session.replicaId, (perReplica.get(session.replicaId) ?? 0) + 1);
    }
    let live = 0;
    for (const code of flights.keys()) if (this.tables.liveFlight(code, nowMs)) live++;
    return {
      sessions: sessions.size - parked.size,
      flights: live,
      replicas: [...replicas].map(([id, lastHeartbeat]) => ({ id, lastHeartbeat, sessions: perReplica.get(id) ?? 0 })),
    };
  }

  async ping(): Promise<void> {}
}
