import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, repoRoot } from './ports.js';
import { ManagedProcess } from './processes.js';

export interface NginxOptions {
  /** `host:port` of each gateway replica. */
  upstreams: string[];
  /** Round robin for WebSocket-only clients; `ip_hash` keeps a client address on one replica (polling). */
  balance?: 'round-robin' | 'ip_hash';
}

/** The proxy settings docker-compose's nginx uses too (WebSocket upgrade, timeouts, next replica on refusal). */
const PROXY_SETTINGS = join(repoRoot(), 'deploy/nginx/rendezvous-proxy.conf');

/** nginx in front of gateway replicas on loopback, configured like deploy/nginx/nginx.conf. */
export function nginxConfig(options: NginxOptions & { listen: string; dir: string }): string {
  // As deploy/nginx/nginx.conf: a refusing replica is skipped per request, never marked down for a while.
  const servers = options.upstreams.map((upstream) => `    server ${upstream} max_fails=0;`);
  return `worker_processes 1;
pid ${join(options.dir, 'nginx.pid')};
error_log stderr notice;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${join(options.dir, 'body')};
  proxy_temp_path ${join(options.dir, 'proxy')};
  fastcgi_temp_path ${join(options.dir, 'fastcgi')};
  uwsgi_temp_path ${join(options.dir, 'uwsgi')};
  scgi_temp_path ${join(options.dir, 'scgi')};
  map $http_upgrade $connection_upgrade {
    default upgrade;
    '' close;
  }
  upstream rendezvous {
${options.balance === 'ip_hash' ? '    ip_hash;\n' : ''}${servers.join('\n')}
    keepalive 32;
  }
  server {
    listen ${options.listen};
    location / {
      include ${PROXY_SETTINGS};
    }
  }
}
`;
}

/** A throwaway nginx from the Debian package on a free loopback port, configured in its own temp dir. */
export class NginxServer {
  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly process: ManagedProcess,
  ) {}

  static async start(options: NginxOptions, port?: number): Promise<NginxServer> {
    const chosenPort = port ?? (await freePort());
    const dir = mkdtempSync(join(tmpdir(), 'rv-nginx-'));
    mkdirSync(join(dir, 'logs'));
    const configFile = join(dir, 'nginx.conf');
    writeFileSync(configFile, nginxConfig({ ...options, listen: `127.0.0.1:${chosenPort}`, dir }));
    const binary = process.env.NGINX_BINARY ?? '/usr/sbin/nginx';
    const child = ManagedProcess.start('nginx', binary, [
      '-e',
      'stderr',
      '-p',
      dir,
      '-c',
      configFile,
      '-g',
      'daemon off;',
    ]);
    const server = new NginxServer(chosenPort, dir, child);
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (!child.running) {
        throw new Error(
          `nginx did not start (is the Debian package "nginx" installed? .ci/run installs it):\n${child.tail()}`,
        );
      }
      const answered = await fetch(`${server.url}/health/live`).then(
        () => true,
        () => false,
      );
      if (answered) return server;
      if (Date.now() > deadline) throw new Error(`nginx not answering after 10 s:\n${child.tail()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    await this.process.stop('SIGQUIT');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
