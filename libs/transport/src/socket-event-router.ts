import type { Logger } from '@nestjs/common';
import type { Server, Socket } from 'socket.io';

type Ack = (response: unknown) => void;
/** A listener for a hot-path event, called with the socket and the event's arguments (ack last, if any). */
export type SocketRelay<S = Socket> = (socket: S, args: unknown[]) => void;
/** A client event's handler: its result (or what its promise settles to) is the acknowledgement. */
export type SocketEventHandler<S = Socket> = (socket: S, payload: unknown) => unknown;
/** Answers a client whose event's handler threw or rejected. */
export type HandlerFailure<S = Socket> = (socket: S, event: string, error: unknown, ack: Ack | undefined) => void;

const DISCONNECT_HOOKS = Symbol('rendezvous.disconnectHooks');
type RoutedSocket = Socket & { [DISCONNECT_HOOKS]?: ((reason: string) => void)[] };

/**
 * A listener function that can be shared by every socket: Socket.IO calls listeners with the socket as `this`,
 * and this hands it to `handle`, so registering it on a connection allocates no closure.
 */
export function socketListener<S>(handle: (socket: S, args: unknown[]) => void): (...args: unknown[]) => void {
  return function (this: S, ...args: unknown[]) {
    handle(this, args);
  };
}

/** Splits a Socket.IO event's arguments into its payload arguments and the acknowledgement callback, if any. */
export function splitAck(args: unknown[]): { payloadArgs: unknown[]; ack: Ack | undefined } {
  const last = args[args.length - 1];
  return typeof last === 'function'
    ? { payloadArgs: args.slice(0, -1), ack: last as Ack }
    : { payloadArgs: args, ack: undefined };
}

const routers = new WeakMap<Server, SocketEventRouter>();

/**
 * Every client event of a socket goes through one `onAny` listener shared by all sockets, instead of one
 * EventEmitter listener per event per socket (with two dozen events, a socket's listener table alone would cost
 * over 1.5 KB). Hot-path relays and acknowledged handlers (`handle`) are registered once per server, so a
 * connection allocates nothing for them (Nest's `@SubscribeMessage` binds each handler to each socket, about 80
 * bytes per handler per socket); anything else is an unknown event.
 */
export class SocketEventRouter {
  private readonly relays = new Map<string, SocketRelay<never>>();
  private readonly handlers = new Map<string, SocketEventHandler<never>>();
  /** Until the application says how to answer a failed handler, the failure is at least logged. */
  private failed: HandlerFailure<never> = (_socket, event, error) =>
    this.log.error(`${event}: ${(error as Error)?.stack ?? String(error)}`);
  private unknown: SocketRelay<never> = () => undefined;
  /** Asked before any event is routed; an event it refuses goes nowhere (it answers the client itself). */
  private admission: ((socket: Socket, event: string, args: unknown[]) => boolean) | null = null;
  /** Told of every relayed message and how long its relay took on this replica (metrics). */
  private relayObserver: ((event: string, seconds: number) => void) | null = null;
  private readonly dispatch = socketListener<RoutedSocket>((socket, args) => this.route(socket, args));
  private readonly disconnected = socketListener<RoutedSocket>((socket, [reason]) => {
    const hooks = socket[DISCONNECT_HOOKS] ?? [];
    socket[DISCONNECT_HOOKS] = undefined;
    for (const hook of hooks) hook(String(reason));
  });

  private constructor(private readonly log: Logger) {}

  static attach(server: Server, log: Logger): SocketEventRouter {
    const router = new SocketEventRouter(log);
    routers.set(server, router);
    return router;
  }

  static of(server: Server): SocketEventRouter {
    const router = routers.get(server);
    if (!router) throw new Error('Socket.IO server was not created by RendezvousIoServer');
    return router;
  }

  /** Binds `event` for every socket of the server to a plain listener, outside Nest's handler pipeline. */
  relay<S = Socket>(event: string, handler: SocketRelay<S>): void {
    this.relays.set(event, handler as SocketRelay<never>);
  }

  /**
   * Handles `event` for every socket of the server: the handler's result, or what its promise settles to, is
   * the acknowledgement; what it throws or rejects with goes to `handleFailuresWith`.
   */
  handle<S = Socket>(event: string, handler: SocketEventHandler<S>): void {
    this.handlers.set(event, handler as SocketEventHandler<never>);
  }

  handleFailuresWith<S = Socket>(failure: HandlerFailure<S>): void {
    this.failed = failure as HandlerFailure<never>;
  }

  admitWith(admission: (socket: Socket, event: string, args: unknown[]) => boolean): void {
    this.admission = admission;
  }

  observeRelays(observer: (event: string, seconds: number) => void): void {
    this.relayObserver = observer;
  }

  /** Called with the event name first, for events that have neither a relay nor a handler. */
  onUnknown<S = Socket>(handler: SocketRelay<S>): void {
    this.unknown = handler as SocketRelay<never>;
  }

  /**
   * A gateway's disconnect callback for this socket: called once, from one listener shared by every socket
   * (Nest's own adapter adds a `once` wrapper and a closure per gateway per socket, about 180 bytes each).
   */
  onDisconnect(socket: Socket, hook: (reason: string) => void): void {
    const routed = socket as RoutedSocket;
    if (!routed[DISCONNECT_HOOKS]) {
      routed[DISCONNECT_HOOKS] = [];
      socket.on('disconnect', this.disconnected);
    }
    routed[DISCONNECT_HOOKS].push(hook);
  }

  /** Routes the socket's events from now on (once per connection). */
  listen(socket: Socket): void {
    socket.onAny(this.dispatch);
  }

  private route(socket: RoutedSocket, [event, ...args]: unknown[]): void {
    const name = String(event);
    if (this.admission && !this.admission(socket, name, args)) return;
    const relay = this.relays.get(name) as SocketRelay<RoutedSocket> | undefined;
    if (relay) {
      if (!this.relayObserver) return relay(socket, args);
      const started = performance.now();
      relay(socket, args);
      this.relayObserver(name, (performance.now() - started) / 1_000);
      return;
    }
    const handler = this.handlers.get(name) as SocketEventHandler<RoutedSocket> | undefined;
    if (handler) return this.answer(socket, name, handler, args);
    (this.unknown as SocketRelay<RoutedSocket>)(socket, [name, ...args]);
  }

  private answer(
    socket: RoutedSocket,
    event: string,
    handler: SocketEventHandler<RoutedSocket>,
    args: unknown[],
  ): void {
    const { payloadArgs, ack } = splitAck(args);
    const fail = (error: unknown) => (this.failed as HandlerFailure<RoutedSocket>)(socket, event, error, ack);
    const reply = (response: unknown) => {
      if (response !== undefined) ack?.(response);
    };
    let result: unknown;
    try {
      result = handler(socket, payloadArgs.length > 1 ? payloadArgs : payloadArgs[0]);
    } catch (error) {
      return fail(error);
    }
    if (result instanceof Promise) result.then(reply, fail);
    else reply(result);
  }
}
