/**
 * Baseline: a bare `ws` relay doing the same job as a flight's signal relay, with nothing else (no rooms, no
 * validation, no cluster). Clients connect with ?pair=N&side=a|b; each JSON message {data} is stamped with the
 * sender and forwarded to the other side of its pair.
 */
import { WebSocketServer, type WebSocket } from 'ws';
import { parseFrame } from './frames.js';

const port = Number(process.env.PORT ?? 0);
const pairs = new Map<string, { a?: WebSocket; b?: WebSocket }>();
const server = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false, maxPayload: 65_536 });

server.on('connection', (socket, request) => {
  const params = new URL(request.url ?? '/', 'http://x').searchParams;
  const pairId = params.get('pair') ?? '';
  const side = params.get('side') === 'b' ? 'b' : 'a';
  const pair = pairs.get(pairId) ?? {};
  pair[side] = socket;
  pairs.set(pairId, pair);
  socket.on('message', (raw) => {
    const message = parseFrame(raw);
    if (!message) return;
    const peer = side === 'a' ? pair.b : pair.a;
    peer?.send(JSON.stringify({ from: `${pairId}${side}`, data: message.data }));
  });
  socket.on('close', () => {
    delete pair[side];
  });
});

server.on('listening', () => {
  const address = server.address();
  process.stdout.write(`listening on ${typeof address === 'object' && address ? address.port : port}\n`);
});
