import type { INestApplicationContext } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import type { RendezvousConfig } from '@rendezvous/config';
import { isObservable, lastValueFrom, type Observable } from 'rxjs';
import type { Server, ServerOptions, Socket } from 'socket.io';
import { createGuardedParser } from './guarded-parser.js';
import type { RedisConnections } from './redis.connections.js';

/**
 * A listener function that can be shared by every socket: Socket.IO calls listeners with the socket as `this`,
 * and this hands it to `handle`, so registering it on a connection allocates no closure.
 */
export function socketListener<S>(handle: (socket: S, args: unknown[]) => void): (...args: unknown[]) => void {
  return function (this: S, ...args: unknown[]) {
    handle(this, args);
  };
}

const HANDLERS = Symbol('rendezvous.handlers');
type BoundHandler = (data: unknown, ack?: (response: unknown) => void) => unknown;
type SocketWithHandlers = Socket & { [HANDLERS]?: Record<string, BoundHandler> };

/** Frames this much over MAX_PAYLOAD_BYTES are cut at the transport (close 1009) instead of answered. */
const hardLimit = (maxPayloadBytes: number) => maxPayloadBytes * 2 + 4096;

/**
 * Socket.IO adapter for both modes: in-memory when standalone, the Redis adapter (sharded Pub/Sub with one
 * channel per room, chosen by measurement: docs/BENCHMARKS.md) when clustered.
 *
 * It also binds message handlers without Nest's per-socket RxJS pipelines: one listener function per event shared
 * by all sockets, which keeps idle sockets small and the relay path short.
 */
export class RendezvousIoAdapter extends IoAdapter {
  private readonly log = new Logger('SocketIo');
  private readonly listeners = new Map<string, (...args: unknown[]) => void>();

  constructor(
    app: INestApplicationContext,
    private readonly config: RendezvousConfig,
    private readonly redis: RedisConnections | null,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: Partial<ServerOptions>): Server {
    const { server: serverConfig } = this.config;
    const server = super.createIOServer(port, {
      ...(options as ServerOptions),
      transports: serverConfig.transports,
      pingInterval: serverConfig.pingIntervalMs,
      pingTimeout: serverConfig.pingTimeoutMs,
      maxHttpBufferSize: hardLimit(serverConfig.maxPayloadBytes),
      perMessageDeflate: false,
      httpCompression: false,
      serveClient: false,
      cleanupEmptyChildNamespaces: true,
      parser: createGuardedParser(serverConfig.maxPayloadBytes),
    }) as Server;
    if (this.redis) {
      const { pub, sub } = this.redis;
      server.adapter(
        this.config.redis.adapter === 'sharded'
          ? createShardedAdapter(pub, sub, {
              channelPrefix: `${this.config.redis.keyPrefix}io`,
              subscriptionMode: 'dynamic-private',
            })
          : createAdapter(pub, sub, { key: `${this.config.redis.keyPrefix}io` }),
      );
      this.log.log(`Socket.IO Redis adapter: ${this.config.redis.adapter}`);
    }
    return server;
  }

  override bindMessageHandlers(
    socket: Socket,
    handlers: MessageMappingProperties[],
    transform: (data: unknown) => Observable<unknown>,
  ): void {
    void transform;
    const table = ((socket as SocketWithHandlers)[HANDLERS] ??= {});
    for (const { message, callback, isAckHandledManually } of handlers) {
      const event = String(message);
      table[event] = callback as BoundHandler;
      socket.on(event, this.sharedListener(event, isAckHandledManually === true));
    }
  }

  /**
   * One listener function per event for all sockets: it finds the socket's handler through `this` (Socket.IO
   * calls listeners on the socket), so a connection costs a table entry per event, not a closure per event.
   */
  private sharedListener(event: string, isAckHandledManually: boolean): (...args: unknown[]) => void {
    const cached = this.listeners.get(event);
    if (cached) return cached;
    const log = this.log;
    const listener = socketListener<SocketWithHandlers>((socket, args) => {
      const callback = socket[HANDLERS]?.[event];
      if (!callback) return;
      const last = args[args.length - 1];
      const ack = typeof last === 'function' ? (last as (response: unknown) => void) : undefined;
      const payloadArgs = ack ? args.slice(0, -1) : args;
      const data = payloadArgs.length > 1 ? payloadArgs : payloadArgs[0];
      let result: unknown;
      try {
        result = callback(data, ack);
      } catch (error) {
        log.error(error);
        return;
      }
      const reply = (response: unknown) => {
        if (response == null) return;
        const replyEvent = (response as { event?: string }).event;
        if (replyEvent) socket.emit(replyEvent, (response as { data?: unknown }).data);
        else if (!isAckHandledManually && ack) ack(response);
      };
      if (result instanceof Promise) {
        result.then(reply, (error: unknown) => log.error(error));
      } else if (isObservable(result)) {
        lastValueFrom(result, { defaultValue: undefined }).then(reply, (error: unknown) => log.error(error));
      } else {
        reply(result);
      }
    });
    this.listeners.set(event, listener);
    return listener;
  }
}
