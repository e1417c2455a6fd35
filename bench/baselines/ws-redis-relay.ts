/**
 * Baseline of the cross-replica topology: bare `ws` relays (as ws-relay.ts) that reach a peer on another relay
 * through Redis, as two replicas do, with nothing else (no sessions, confirmations, outbox or Socket.IO). Each
 * client's relay subscribes its own sharded channel `to:<pair><side>`; a message is stamped once, published to
 * the peer's channel, and written by the peer's relay to its socket as it came (no re-encoding). Commands use
 * ioredis's auto-pipelining, so a relay's publishes of one tick leave in one write. Env: PORT, REDIS_URL.
 */
import { Redis } from 'ioredis';
import { WebSocketServer, type WebSocket } from 'ws';
import { parseFrame } from './frames.js';

const port = Number(process.env.PORT ?? 0);
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const pub = new Redis(redisUrl, { enableAutoPipelining: true });
const sub = new Redis(redisUrl);
const local = new Map<string, WebSocket>();

sub.on('smessage', (channel: string, message: string) => {
  local.get(channel)?.send(message);
});

const server = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false, maxPayload: 65_536 });

server.on('connection', (socket, request) => {
  const params = new URL(request.url ?? '/', 'http://x').searchParams;
  const pairId = params.get('pair') ?? '';
  const side = params.get('side') === 'b' ? 'b' : 'a';
  const ownChannel = `to:${pairId}${side}`;
  const peerChannel = `to:${pairId}${side === 'a' ? 'b' : 'a'}`;
  local.set(ownChannel, socket);
  void sub.ssubscribe(ownChannel).then(() => socket.send('{"ready":true}'));
  socket.on('message', (raw) => {
    const message = parseFrame(raw);
    if (!message) return;
    void pub.spublish(peerChannel, JSON.stringify({ from: `${pairId}${side}`, data: message.data }));
  });
  socket.on('close', () => {
    local.delete(ownChannel);
    void sub.sunsubscribe(ownChannel);
  });
});

server.on('listening', () => {
  const address = server.address();
  process.stdout.write(`listening on ${typeof address === 'object' && address ? address.port : port}\n`);
});
