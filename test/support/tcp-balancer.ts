import { createServer, type Server, type Socket, connect } from 'node:net';
import { freePort } from './ports.js';

/**
 * A small TCP balancer on loopback whose route the test chooses: every new connection goes to the current
 * backend port (as a load balancer that took a frozen replica out would). Open connections keep their backend
 * until either side closes.
 */
export class TcpBalancer {
  private readonly sockets = new Set<Socket>();

  private constructor(
    readonly port: number,
    private readonly server: Server,
    private backend: number,
  ) {}

  static async start(backend: number): Promise<TcpBalancer> {
    const port = await freePort();
    let balancer: TcpBalancer | null = null;
    const server = createServer((client) => balancer?.accept(client));
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    balancer = new TcpBalancer(port, server, backend);
    return balancer;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** New connections go to this backend from now on. */
  routeTo(backend: number): void {
    this.backend = backend;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private accept(client: Socket): void {
    const upstream = connect(this.backend, '127.0.0.1');
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
