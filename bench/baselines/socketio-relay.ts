/**
 * Baseline: a bare Socket.IO server (no Nest, no Redis, no validation) doing a flight's relay: clients connect
 * with ?pair=N&side=a|b and each `signal` {data} goes to the other side as {from, data}. It is also the idle
 * memory baseline (/stats), so the rows show what the framework itself costs.
 */
import { createServer } from 'node:http';
import { Server, type Socket } from 'socket.io';

const http = createServer();
const io = new Server(http, { transports: ['websocket'], perMessageDeflate: false, serveClient: false });
const pairs = new Map<string, { a?: Socket; b?: Socket }>();
io.on('connection', (socket) => {
  const pairId = String(socket.handshake.query.pair ?? '');
  if (!pairId) return;
  const side = socket.handshake.query.side === 'b' ? 'b' : 'a';
  const pair = pairs.get(pairId) ?? {};
  pair[side] = socket;
  pairs.set(pairId, pair);
  socket.on('signal', (payload: { data?: unknown }) => {
    const peer = side === 'a' ? pair.b : pair.a;
    peer?.emit('signal', { from: `${pairId}${side}`, data: payload?.data });
  });
  socket.on('disconnect', () => {
    delete pair[side];
  });
});
http.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = http.address();
  process.stdout.write(`listening on ${typeof address === 'object' && address ? address.port : 0}\n`);
});
http.on('request', (request, response) => {
  if (request.url === '/stats') {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ memory: process.memoryUsage(), sockets: io.of('/').sockets.size }));
  }
});
