/** Baseline for idle memory: a bare Socket.IO server (no Nest, no Redis) that only accepts connections. */
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const http = createServer();
const io = new Server(http, { transports: ['websocket'], perMessageDeflate: false, serveClient: false });
io.on('connection', (socket) => {
  socket.on('echo', (payload: unknown) => socket.emit('echo', payload));
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
