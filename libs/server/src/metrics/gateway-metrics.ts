import { Inject, Injectable } from '@nestjs/common';
import { REDIS_CONNECTIONS, type RedisConnections } from '@rendezvous/cluster';
import { METRICS_REGISTRY, withTimeout } from '@rendezvous/observability';
import { MULTIPARTY_STATE, type MultipartyState } from '@rendezvous/rooms';
import type { SessionEvent, SessionMetrics } from '@rendezvous/sessions';
import { LIVE_STATE, type LiveState } from '@rendezvous/signaling';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export const LIFECYCLE_EVENTS = ['connection', 'disconnection', 'flight_created', 'flight_joined'] as const;
export type LifecycleEvent = (typeof LIFECYCLE_EVENTS)[number];

/** What this replica holds right now; read when Prometheus scrapes. */
export interface LocalFigures {
  sockets(): number;
  /** Open clients by protocol (socket.io, dropsilk, camus, generic). */
  clientsByProtocol(): Map<string, number>;
  flights(): number;
}

/**
 * The gateway's Prometheus metrics. Local figures are this replica's; `rendezvous_cluster_*` are cluster-wide,
 * read from the live state at scrape time (absent while Redis does not answer).
 */
@Injectable()
export class GatewayMetrics implements SessionMetrics {
  readonly relayed: Counter<'event'>;
  readonly relayDuration: Histogram<'event'>;
  readonly rejectedConnections: Counter<'reason'>;
  readonly rateLimited: Counter<'outcome'>;
  /** Since this replica started: connections, disconnections, flights created and joined (also /api/status). */
  readonly lifecycle: Counter<'event'>;
  private local: LocalFigures = { sockets: () => 0, clientsByProtocol: () => new Map(), flights: () => 0 };

  constructor(
    @Inject(METRICS_REGISTRY) readonly registry: Registry,
    @Inject(LIVE_STATE) live: Pick<LiveState, 'replicas'>,
    @Inject(MULTIPARTY_STATE) multiparty: MultipartyState,
    @Inject(REDIS_CONNECTIONS) redis: RedisConnections | null,
  ) {
    const registers = [registry];
    const local = () => this.local;
    new Gauge({
      name: 'rendezvous_sockets',
      help: 'Clients connected to this replica, every protocol',
      registers,
      collect() {
        this.set(local().sockets());
      },
    });
    new Gauge({
      name: 'rendezvous_clients',
      help: 'Clients connected to this replica, by protocol (socket.io, dropsilk, camus, generic)',
      labelNames: ['protocol'],
      registers,
      collect() {
        this.reset();
        for (const protocol of ['socket.io', 'dropsilk', 'camus', 'generic']) this.set({ protocol }, 0);
        for (const [protocol, count] of local().clientsByProtocol()) this.set({ protocol }, count);
      },
    });
    new Gauge({
      name: 'rendezvous_flights',
      help: 'Flights with a member on this replica',
      registers,
      collect() {
        this.set(local().flights());
      },
    });
    new Gauge({
      name: 'rendezvous_cluster_objects',
      help: 'Cluster-wide sessions, flights, multiparty rooms and calls (live state)',
      labelNames: ['kind'],
      registers,
      async collect() {
        this.reset();
        try {
          const now = Date.now();
          const [counts, rooms] = await withTimeout(
            Promise.all([live.replicas.counts(now), multiparty.counts()]),
            1_000,
            'live state did not answer',
          );
          this.set({ kind: 'sessions' }, counts.sessions);
          this.set({ kind: 'flights' }, counts.flights);
          this.set({ kind: 'rooms' }, rooms.rooms);
          this.set({ kind: 'calls' }, rooms.calls);
        } catch {
          // Unknown while Redis is away: no sample rather than a wrong one.
        }
      },
    });
    this.relayed = new Counter({
      name: 'rendezvous_relayed_messages_total',
      help: 'Messages received for relay, by event (signal, offer, answer, icecandidate, call-signal, ...)',
      labelNames: ['event'],
      registers,
    });
    this.relayDuration = new Histogram({
      name: 'rendezvous_relay_duration_seconds',
      help: 'Time this replica spends on one relayed message, from its arrival to its hand-off for delivery',
      labelNames: ['event'],
      buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05],
      registers,
    });
    this.rejectedConnections = new Counter({
      name: 'rendezvous_rejected_connections_total',
      help: 'Handshakes refused, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.rateLimited = new Counter({
      name: 'rendezvous_rate_limited_events_total',
      help: 'Client events over the per-socket rate limit: dropped, or the socket disconnected',
      labelNames: ['outcome'],
      registers,
    });
    this.lifecycle = new Counter({
      name: 'rendezvous_lifecycle_events_total',
      help: 'Connections, disconnections, flights created and flights joined on this replica',
      labelNames: ['event'],
      registers,
    });
    for (const event of LIFECYCLE_EVENTS) this.lifecycle.inc({ event }, 0);
    const redisCounter = (name: string, help: string, read: (connections: RedisConnections) => number) => {
      let reported = 0;
      new Counter({
        name,
        help,
        registers,
        collect() {
          const value = redis ? read(redis) : 0;
          if (value > reported) this.inc(value - reported);
          reported = Math.max(reported, value);
        },
      });
    };
    redisCounter('rendezvous_redis_errors_total', 'Errors reported by the Redis connections', (r) => r.errors);
    redisCounter('rendezvous_redis_reconnects_total', 'Reconnections to Redis after losing it', (r) => r.reconnects);
  }

  count(event: SessionEvent): void {
    this.lifecycle.inc({ event });
  }

  refused(reason: string): void {
    this.rejectedConnections.inc({ reason });
  }

  async totals(): Promise<Record<LifecycleEvent, number>> {
    const { values } = await this.lifecycle.get();
    const totals = Object.fromEntries(LIFECYCLE_EVENTS.map((event) => [event, 0])) as Record<LifecycleEvent, number>;
    for (const { labels, value } of values) totals[labels.event as LifecycleEvent] = value;
    return totals;
  }

  /** The gateway tells where its local figures come from once its Socket.IO server exists. */
  readLocalFrom(local: LocalFigures): void {
    this.local = local;
  }

  /** Relay counting with pre-bound label children: no label lookup per message. */
  relayObserver(): (event: string, seconds: number) => void {
    const counters = new Map<string, { count: Counter.Internal; duration: Histogram.Internal<'event'> }>();
    return (event, seconds) => {
      let child = counters.get(event);
      if (!child) {
        child = { count: this.relayed.labels(event), duration: this.relayDuration.labels(event) };
        counters.set(event, child);
      }
      child.count.inc();
      child.duration.observe(seconds);
    };
  }
}
