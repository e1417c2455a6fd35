import { loadConfig } from '@rendezvous/config';
import { describe, expect, it } from 'vitest';
import { createMemoryLiveState } from '../src/live-state/index.js';
import { ReplicaMonitor } from '../src/replica-monitor.js';

const configFor = (replicaId: string) =>
  loadConfig({ REPLICA_ID: replicaId, REPLICA_HEARTBEAT_MS: '100', REPLICA_TIMEOUT_MS: '300' });

describe('ReplicaMonitor reaping', () => {
  it('reaps a large dead replica once, renewing its lock for longer than one lease', async () => {
    const live = createMemoryLiveState();
    await live.replicas.heartbeat('dead', Date.now() - 60_000);
    for (let i = 0; i < 100; i++) {
      await live.sessions.registerSession(
        {
          id: `s${String(i).padStart(9, '0')}`,
          name: `User ${i}`,
          replicaId: 'dead',
          address: '192.168.1.10',
          group: 'v4:192.168.1',
        },
        'digest',
      );
    }
    const reaped: string[] = [];
    const monitor = (replicaId: string) =>
      new ReplicaMonitor(live.replicas, configFor(replicaId), {
        // Each batch takes 150 ms: four of them outlast the 300 ms lease.
        reapSession: async (id) => {
          await new Promise((resolve) => setTimeout(resolve, 150));
          reaped.push(id);
          await live.sessions.removeSession(id, 60_000, Date.now());
        },
        restoreLocalState: async () => {},
        expireParkedSessions: async () => 0,
      });
    const first = monitor('survivor-1');
    const second = monitor('survivor-2');
    const reaping = first.tick();
    for (let i = 0; i < 8; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      // The heartbeat interval of both goes on while the first reaps.
      void first.tick();
      await second.tick();
    }
    await reaping;
    // The reaper kept heartbeating: nobody took it for dead.
    expect(await live.replicas.deadReplicas(Date.now(), 300)).toEqual([]);
    expect(reaped).toHaveLength(100);
    expect(new Set(reaped).size).toBe(100);
  });

  it('keeps heartbeating while a long restore runs after the live state forgot this replica', async () => {
    const live = createMemoryLiveState();
    let restoring = 0;
    const monitor = new ReplicaMonitor(live.replicas, configFor('forgotten'), {
      reapSession: async () => {},
      restoreLocalState: async () => {
        restoring++;
        await new Promise((resolve) => setTimeout(resolve, 800));
      },
      expireParkedSessions: async () => 0,
    });
    await monitor.tick();
    await live.replicas.forgetReplica('forgotten');
    void monitor.tick();
    for (let i = 0; i < 6; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      void monitor.tick();
    }
    // 600 ms into the 800 ms restore, still heartbeating: not dead by a 300 ms timeout.
    expect(restoring).toBe(1);
    expect(await live.replicas.deadReplicas(Date.now(), 300)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 300));
  });
});
