/**
 * Peer baseline: the PeerJS server (npm `peer`, as its users run it), relaying OFFER/ANSWER/CANDIDATE messages to
 * a `dst` id over plain WebSockets at /peerjs. Limits are raised so that 10,000 idle clients fit; /stats reports
 * this process's memory like the other baselines.
 */
import { PeerServer } from 'peer';

const port = Number(process.env.PORT ?? 0);
const app = PeerServer(
  { host: '127.0.0.1', port, path: '/', concurrent_limit: 1_000_000, alive_timeout: 600_000 },
  (server) => {
    const address = server.address();
    process.stdout.write(`listening on ${typeof address === 'object' && address ? address.port : port}\n`);
  },
);
app.get('/stats', (_request, response) => {
  response.json({ memory: process.memoryUsage() });
});
