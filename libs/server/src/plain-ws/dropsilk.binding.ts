import { Inject, Injectable, Logger } from '@nestjs/common';
import { RENDEZVOUS_CONFIG, type RendezvousConfig } from '@rendezvous/config';
import { clientSchemas, ErrorCode, ErrorMessage } from '@rendezvous/protocol';
import { Client, FlightSessions, ReadinessState, SessionLifecycle, SHUTDOWN_MESSAGE } from '@rendezvous/sessions';
import { SignalingError } from '@rendezvous/signaling';
import type { RawData, WebSocket } from 'ws';
import { EventRateLimiter } from '../common/event-rate-limiter.js';
import { toErrorPayload } from '../common/ws-errors.js';
import { validatePayload } from '../common/validate-payload.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { admitFrame } from './frames.js';
import type { PlainWsBinding, PlainWsContext } from './plain-ws.server.js';
import { PlainWsLink } from './plain-ws-link.js';

/**
 * DropSilk's frames for the core's events: `{type, ...payload}`, trimmed to what DropSilk's backend sends where
 * ours carries more (`registered {id}`, `signal {data}`, `peer-left {}`, `error {message}`). Events of other
 * protocols (Socket.IO's greeting, multiparty rooms) never reach a DropSilk client.
 */
export function encodeDropSilk(event: string, payload: unknown): object | null {
  const fields = payload as Record<string, unknown>;
  switch (event) {
    case 'registered':
      return { type: event, id: fields.id };
    case 'signal':
      return { type: event, data: fields.data };
    case 'peer-left':
      return { type: event };
    case 'error':
    case 'server-shutdown':
      return { type: event, message: fields.message };
    case 'rtc-config':
    case 'session-resumed':
      return null;
    default:
      return { type: event, ...fields };
  }
}

type Handler = (client: Client, link: PlainWsLink, payload: unknown) => Promise<void>;

/**
 * DropSilk's protocol over a plain WebSocket, on any path (as DropSilk's backend): `registered` on connect,
 * `register-details`, flights (`create-flight`, `join-flight`, `invite-to-flight`), `attach-room` for transfer
 * rooms, and `signal` to the other member; failures are `{type:"error", message}` in DropSilk's words.
 */
@Injectable()
export class DropSilkBinding implements PlainWsBinding {
  private readonly logger = new Logger('DropSilk');
  private readonly limiter: EventRateLimiter;
  private readonly observeRelay: (event: string, seconds: number) => void;
  private readonly handlers: Record<string, Handler> = {
    'register-details': async (client, _link, payload) => {
      await this.flights.rename(client, validatePayload(clientSchemas['register-details'], payload).name);
    },
    'create-flight': async (client, link, payload) => {
      validatePayload(clientSchemas['create-flight'], payload);
      link.sendFrame({ type: 'flight-created', flightCode: await this.flights.createFlight(client) });
    },
    'join-flight': async (client, _link, payload) => {
      await this.flights.joinFlight(client, validatePayload(clientSchemas['join-flight'], payload).flightCode);
    },
    'invite-to-flight': async (client, _link, payload) => {
      const { inviteeId, flightCode } = validatePayload(clientSchemas['invite-to-flight'], payload);
      await this.flights.invite(client, inviteeId, flightCode);
    },
    'leave-flight': async (client, _link, payload) => {
      validatePayload(clientSchemas['leave-flight'], payload);
      await this.flights.leaveFlight(client);
    },
    'attach-room': async (client, _link, payload) => {
      await this.flights.attachRoom(client, validatePayload(clientSchemas['attach-room'], payload));
    },
  };

  constructor(
    @Inject(RENDEZVOUS_CONFIG) private readonly config: RendezvousConfig,
    @Inject(ReadinessState) private readonly readiness: ReadinessState,
    @Inject(SessionLifecycle) private readonly lifecycle: SessionLifecycle,
    @Inject(FlightSessions) private readonly flights: FlightSessions,
    @Inject(GatewayMetrics) private readonly metrics: GatewayMetrics,
  ) {
    this.limiter = new EventRateLimiter(config.limits, (outcome) => metrics.rateLimited.inc({ outcome }));
    this.observeRelay = metrics.relayObserver();
  }

  accept(ws: WebSocket, { address, claims }: PlainWsContext): void {
    const link = new PlainWsLink(ws, 'dropsilk', encodeDropSilk);
    if (this.readiness.isDraining) {
      this.metrics.refused('draining');
      link.sendFrame({ type: 'server-shutdown', message: SHUTDOWN_MESSAGE });
      link.close();
      return;
    }
    const client = new Client(link, address, claims);
    ws.on('message', (data: RawData, isBinary: boolean) => this.receive(client, link, ws, data, isBinary));
    ws.once('close', () => this.lifecycle.disconnect(client));
    this.lifecycle
      .connect(client, null, ({ session }) => link.sendFrame({ type: 'registered', id: session.id }))
      .then(
        () => undefined,
        (error: unknown) => {
          this.sendError(link, error, 'connect');
          ws.close(1011, 'Server error');
        },
      );
  }

  private receive(client: Client, link: PlainWsLink, ws: WebSocket, data: RawData, isBinary: boolean): void {
    const maxPayloadBytes = this.config.server.maxPayloadBytes;
    const message = admitFrame(this.limiter, ws, { data, isBinary, maxPayloadBytes }, (error) =>
      link.sendFrame({ type: 'error', message: error }),
    );
    if (!message) return;
    const { type, ...payload } = message;
    if (type === 'signal') return this.relaySignal(client, link, payload);
    const handler = typeof type === 'string' && Object.hasOwn(this.handlers, type) ? this.handlers[type] : undefined;
    if (!handler) return link.sendFrame({ type: 'error', message: ErrorMessage.unknown_event });
    handler(client, link, payload).catch((error: unknown) => this.sendError(link, error, type as string));
  }

  /** The hot path, synchronous; a signal outside a flight is dropped without a word, as DropSilk's backend does. */
  private relaySignal(client: Client, link: PlainWsLink, payload: unknown): void {
    const started = performance.now();
    try {
      const { data } = validatePayload(clientSchemas.signal, payload);
      const receipt = this.flights.relaySignal(client, data);
      // A refusal (recipient gone, its outbox full, live state unreachable) is told to this sender alone.
      if (receipt instanceof Promise) receipt.catch((error: unknown) => this.sendError(link, error, 'signal'));
      this.observeRelay('signal', (performance.now() - started) / 1_000);
    } catch (error) {
      if (error instanceof SignalingError && error.code === ErrorCode.NotInFlight) return;
      this.sendError(link, error, 'signal');
    }
  }

  private sendError(link: PlainWsLink, error: unknown, event: string): void {
    link.sendFrame({ type: 'error', message: toErrorPayload(error, event, this.logger).message });
  }
}
