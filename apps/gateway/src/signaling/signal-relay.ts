import { Inject, Injectable, Logger } from '@nestjs/common';
import { SessionDelivery } from '@rendezvous/delivery';
import { clientSchemas, ErrorCode } from '@rendezvous/protocol';
import { SignalingError } from '@rendezvous/signaling';
import { splitAck } from '@rendezvous/transport';
import { sendError, toErrorPayload } from '../common/ws-error.filter.js';
import { validatePayload } from '../common/zod-ws.pipe.js';
import type { RendezvousSocket } from './socket-connection.js';

/**
 * DropSilk's `signal`, the hot path: bound as a plain listener rather than through Nest's handler pipeline, with
 * no live-state read. The peer comes from the socket's own state, which only the core changes
 * (`ClientConnection.setFlightPeer`); delivery by session id reaches it on whichever replica holds it.
 */
@Injectable()
export class SignalRelay {
  private readonly logger = new Logger('SignalRelay');

  constructor(@Inject(SessionDelivery) private readonly delivery: SessionDelivery) {}

  relay(socket: RendezvousSocket, args: unknown[]): void {
    const { payloadArgs, ack } = splitAck(args);
    try {
      const { data } = validatePayload(clientSchemas.signal, payloadArgs[0]);
      const flight = socket.data.flight;
      const session = socket.data.session;
      if (!flight || !session) throw new SignalingError(ErrorCode.NotInFlight);
      const peerId = socket.data.peerId;
      if (peerId) {
        this.delivery.toSession(peerId, 'signal', { from: session.id, data });
        socket.data.signalsSent = (socket.data.signalsSent ?? 0) + 1;
      }
      ack?.({ ok: true, data: { flightCode: flight.code, forwarded: peerId !== null && peerId !== undefined } });
    } catch (error) {
      sendError(socket, toErrorPayload(error, 'signal', this.logger), ack);
    }
  }
}
