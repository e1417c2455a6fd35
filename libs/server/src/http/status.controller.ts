import { Controller, Get, Header, Inject, ServiceUnavailableException } from '@nestjs/common';
import { withTimeout } from '@rendezvous/observability';
import { RENDEZVOUS_CONFIG, type RendezvousConfig } from '@rendezvous/config';
import { findPrismaRoot } from '@rendezvous/persistence';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MULTIPARTY_STATE, type MultipartyState } from '@rendezvous/rooms';
import { LIVE_STATE, type LiveState } from '@rendezvous/signaling';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { SessionLifecycle } from '@rendezvous/sessions';

/** The version of the installed package (package.json sits beside prisma/ in the repository and the image). */
const VERSION = (
  JSON.parse(readFileSync(join(dirname(findPrismaRoot()), 'package.json'), 'utf8')) as { version: string }
).version;

const megabytes = (bytes: number) => Math.round((bytes / 1_048_576) * 100) / 100;

/** "1d 2h 3m 4s", as DropSilk formats its uptime. */
export function formatUptime(totalSeconds: number): string {
  const seconds = Math.floor(totalSeconds);
  const parts = [
    [Math.floor(seconds / 86_400), 'd'],
    [Math.floor((seconds % 86_400) / 3_600), 'h'],
    [Math.floor((seconds % 3_600) / 60), 'm'],
  ] as const;
  const leading = parts.findIndex(([value]) => value > 0);
  const shown = leading < 0 ? [] : parts.slice(leading);
  return [...shown.map(([value, unit]) => `${value}${unit}`), `${seconds % 60}s`].join(' ');
}

/** DropSilk's plain endpoints, with cluster-wide figures where DropSilk had one process. */
@Controller()
export class StatusController {
  constructor(
    @Inject(SessionLifecycle) private readonly sessions: SessionLifecycle,
    @Inject(LIVE_STATE) private readonly live: Pick<LiveState, 'replicas'>,
    @Inject(MULTIPARTY_STATE) private readonly multiparty: MultipartyState,
    @Inject(RENDEZVOUS_CONFIG) private readonly config: RendezvousConfig,
    @Inject(GatewayMetrics) private readonly metrics: GatewayMetrics,
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
    const [counts, rooms] = await Promise.all([this.live.replicas.counts(Date.now()), this.multiparty.counts()]).catch(
      (error: Error) => {
        throw new ServiceUnavailableException({ error: `Cluster figures unavailable: ${error.message}` });
      },
    );
    const memory = process.memoryUsage();
    const replica = {
      id: this.config.cluster.replicaId,
      activeConnections: this.sessions.clientCount(),
      activeFlights: this.sessions.flightCount(),
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

  /**
   * DropSilk's status document. Active figures are cluster-wide (this replica's while Redis does not answer, with
   * status `degraded`); the totals are this replica's since it started, as DropSilk's were its one process's.
   */
  @Get('api/status')
  async status() {
    const uptime = process.uptime();
    const memory = process.memoryUsage();
    const counts = await withTimeout(this.live.replicas.counts(Date.now()), 1_000, 'live state did not answer').catch(
      () => null,
    );
    const totals = await this.metrics.totals();
    const { ice } = this.config;
    const turnConfigured = !!(ice.staticTurn || ice.turnRest || ice.cloudflare);
    return {
      status: counts ? 'operational' : 'degraded',
      version: VERSION,
      uptime,
      uptimeFormatted: formatUptime(uptime),
      timestamp: new Date().toISOString(),
      services: {
        websocket: {
          status: 'operational',
          activeConnections: counts?.sessions ?? this.sessions.clientCount(),
        },
        signaling: {
          status: counts ? 'operational' : 'degraded',
          activeFlights: counts?.flights ?? this.sessions.flightCount(),
        },
        turn: { status: turnConfigured ? 'operational' : 'not_configured' },
      },
      stats: {
        totalConnections: totals.connection,
        totalDisconnections: totals.disconnection,
        totalFlightsCreated: totals.flight_created,
        totalFlightsJoined: totals.flight_joined,
      },
      memory: {
        heapUsedMB: megabytes(memory.heapUsed),
        heapTotalMB: megabytes(memory.heapTotal),
        rssMB: megabytes(memory.rss),
      },
      replica: this.config.cluster.replicaId,
    };
  }
}
