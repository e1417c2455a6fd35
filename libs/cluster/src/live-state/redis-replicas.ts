import type { ClusterCounts, ReplicaRegistry } from '@rendezvous/signaling';
import type { RedisLiveStateScripts } from './redis-scripts.js';

export class RedisReplicaRegistry implements ReplicaRegistry {
  constructor(private readonly live: RedisLiveStateScripts) {}

  async heartbeat(replicaId: string, nowMs: number): Promise<boolean> {
    const [[, added]] = (await this.live.redis
      .multi()
      .zadd(this.live.key('replicas'), nowMs, replicaId)
      .zremrangebyscore(this.live.key('flights'), '-inf', nowMs)
      .exec()) as [[Error | null, number]];
    return added === 0;
  }

  deadReplicas(nowMs: number, timeoutMs: number): Promise<string[]> {
    return this.live.redis.zrangebyscore(this.live.key('replicas'), '-inf', nowMs - timeoutMs);
  }

  async claimDeadReplica(replicaId: string, lockMs: number, holder: string): Promise<string[] | null> {
    const keys = [this.live.key('reap:', replicaId), this.live.key('r:', replicaId)];
    return ((await this.live.run('claim', keys, replicaId, lockMs, holder)) as string[] | null) ?? null;
  }

  async renewReapLock(replicaId: string, lockMs: number, holder: string): Promise<boolean> {
    return (await this.live.run('renewReap', [this.live.key('reap:', replicaId)], replicaId, lockMs, holder)) === 1;
  }

  async forgetReplica(replicaId: string): Promise<void> {
    await this.live.redis.multi().zrem(this.live.key('replicas'), replicaId).del(this.live.key('r:', replicaId)).exec();
  }

  async counts(nowMs: number): Promise<ClusterCounts> {
    const { redis } = this.live;
    const [replicaIds, flights] = await Promise.all([
      redis.zrange(this.live.key('replicas'), 0, -1, 'WITHSCORES'),
      redis.zcount(this.live.key('flights'), `(${nowMs}`, '+inf'),
    ]);
    const pipeline = redis.pipeline();
    const replicas: ClusterCounts['replicas'] = [];
    for (let i = 0; i < replicaIds.length; i += 2) {
      const id = replicaIds[i] as string;
      replicas.push({ id, lastHeartbeat: Number(replicaIds[i + 1]), sessions: 0 });
      pipeline.scard(this.live.key('r:', id));
    }
    const sizes = (await pipeline.exec()) ?? [];
    sizes.forEach(([, size], index) => {
      const replica = replicas[index];
      if (replica) replica.sessions = Number(size ?? 0);
    });
    return { sessions: replicas.reduce((sum, r) => sum + r.sessions, 0), flights, replicas };
  }

  async ping(): Promise<void> {
    await this.live.redis.ping();
  }
}
