import { clientSchemas } from '@rendezvous/protocol';
import type { SocketEventRouter } from '@rendezvous/transport';
import type { z } from 'zod';
import { validatePayload } from './validate-payload.js';

type ClientEventName = keyof typeof clientSchemas;
/** A client event's payload once its schema passed it. */
export type ClientEventBody<E extends ClientEventName> = z.output<(typeof clientSchemas)[E]>;

const DECLARED = Symbol('rendezvous.clientEvents');
interface Declaration {
  event: ClientEventName;
  method: string | symbol;
}
type Declaring = { [DECLARED]?: Declaration[] };

/**
 * Makes a gateway method the handler of one client event, in place of Nest's `@SubscribeMessage`: the payload
 * is checked with the protocol's schema for that event (`invalid_payload` with the schema's reasons otherwise),
 * the method's result is the acknowledgement, and what it throws is answered by the router's failure handler.
 * `bindClientEvents` registers the methods once per server; Nest binds its handlers to every socket instead
 * (fifteen bound functions and a table, about 1.2 KB per connected client).
 */
export function ClientEvent<E extends ClientEventName>(event: E) {
  // The method must accept what the schema lets through (its own socket type is the gateway's business).
  return <F extends (socket: never, body: ClientEventBody<E>) => unknown>(
    prototype: object,
    method: string | symbol,
    descriptor: TypedPropertyDescriptor<F>,
  ): void => {
    void descriptor;
    const target = prototype as Declaring;
    // A subclass gets its own list, starting from what its parent declared.
    if (!Object.prototype.hasOwnProperty.call(target, DECLARED)) target[DECLARED] = [...(target[DECLARED] ?? [])];
    target[DECLARED]?.push({ event, method });
  };
}

/** Registers every `@ClientEvent` method of `gateway` with the server's router. */
export function bindClientEvents(router: SocketEventRouter, gateway: object): void {
  const methods = gateway as Record<string | symbol, (socket: unknown, body: unknown) => unknown>;
  for (const { event, method } of (gateway as Declaring)[DECLARED] ?? []) {
    const schema = clientSchemas[event];
    router.handle(event, (socket, payload) => methods[method]?.call(gateway, socket, validatePayload(schema, payload)));
  }
}
