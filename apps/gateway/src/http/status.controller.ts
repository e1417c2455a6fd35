import { Controller, Get, Header, Inject, ServiceUnavailableException } from '@nestjs/common';
import { RENDEZVOUS_CONFIG, type RendezvousConfig } from '@rendezvous/config';
import { MULTIPARTY_STATE, type MultipartyState } from '@rendezvous/rooms';
import { LIVE_STATE_STORE, type LiveStateStore } from '@rendezvous/signaling';
import { SignalingGateway } from '../signaling/signaling.gateway.js';

/** DropSilk's plain endpoints, with cluster-wide figures where DropSilk had one process. */
@Controller()
export class StatusController {
  constructor(
    @Inject(SignalingGateway) private readonly gateway: SignalingGateway,
    @Inject(LIVE_STATE_STORE) private readonly store: LiveStateStore,
    @Inject(MULTIPARTY_STATE) private readonly multiparty: MultipartyState,
    @Inject(RENDEZVOUS_CONFIG) private readonly config: RendezvousConfig,
  ) {}

  @Get()
  @Header('Content-Type', 'text/plain; charset=utf-8')
  alive(): string {
    return 'Server is alive and waiting for WebSocket connections.';
  }

  @Get('keep-alive')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  keepAlive(): string {
    return 'OK';
  }

  @Get('stats')
  async stats() {
    // While Redis is unreachable the cluster figures are unknown: say so rather than a bare 500.
    const [counts, rooms] = await Promise.all([this.store.counts(Date.now()), this.multiparty.counts()]).catch(
      (error: Error) => {
        throw new ServiceUnavailableException({ error: `Cluster figures unavailable: ${error.message}` });
      },
    );
    const memory = process.memoryUsage();
    const replica = {
      id: this.config.cluster.replicaId,
      activeConnections: this.gateway.localSocketCount(),
      activeFlights: this.gateway.localFlightCount(),
    };
    return {
      activeConnections: counts.sessions,
      activeFlights: counts.flights,
      memory: {
        rss: memory.rss,
        heapTotal: memory.heapTotal,
        heapUsed: memory.heapUsed,
        external: memory.external,
      },
      timestamp: new Date().toISOString(),
      uptime: process.uptime(),
      mode: this.config.mode,
      replica,
      cluster: {
        activeConnections: counts.sessions,
        activeFlights: counts.flights,
        activeRooms: rooms.rooms,
        activeCalls: rooms.calls,
        replicas: counts.replicas,
      },
    };
  }
}
