import { Inject, Injectable, Logger } from '@nestjs/common';
import { clientSchemas } from '@rendezvous/protocol';
import { FlightSessions } from '@rendezvous/sessions';
import { splitAck } from '@rendezvous/transport';
import { sendFailure } from '../common/ws-errors.js';
import { validatePayload } from '../common/validate-payload.js';
import { clientOf, type RendezvousSocket } from './socket-data.js';

/**
 * DropSilk's `signal` over Socket.IO, the hot path: bound as a plain listener rather than through Nest's handler
 * pipeline; the core relays it with no live-state read (FlightSessions.relaySignal).
 */
@Injectable()
export class SignalRelay {
  private readonly logger = new Logger('SignalRelay');

  constructor(@Inject(FlightSessions) private readonly flights: FlightSessions) {}

  relay(socket: RendezvousSocket, args: unknown[]): void {
    const { payloadArgs, ack } = splitAck(args);
    const refuse = (error: unknown) => sendFailure(socket, 'signal', error, this.logger, ack);
    try {
      const { data, seq } = validatePayload(clientSchemas.signal, payloadArgs[0]);
      const receipt = this.flights.relaySignal(clientOf(socket), data, seq);
      if (receipt instanceof Promise) receipt.then((relayed) => ack?.({ ok: true, data: relayed }), refuse);
      else ack?.({ ok: true, data: receipt });
    } catch (error) {
      refuse(error);
    }
  }
}
