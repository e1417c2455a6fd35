import { Ajv2019 } from 'ajv/dist/2019.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../support/ports.js';

const ROOT = repoRoot();
const COMPOSE_FILE = join(ROOT, 'docker-compose.yml');
const compose = parse(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }) as {
  services: Record<string, Record<string, any>>;
};

/** docker-compose from the Debian package: it parses and validates a Compose file without a container engine. */
function dockerCompose(env: Record<string, string>, ...args: string[]) {
  const result = spawnSync('docker-compose', ['-f', COMPOSE_FILE, ...args], {
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
  });
  if (result.error) {
    throw new Error(
      `docker-compose not found (Debian package "docker-compose"; .ci/run installs it): ${result.error.message}`,
    );
  }
  return result;
}

/** The Compose specification's JSON schema, as shipped inside the Debian docker-compose package. */
function composeSpecSchema(): object {
  const listed = spawnSync('dpkg', ['-L', 'docker-compose'], { encoding: 'utf8' });
  const path = listed.stdout?.split('\n').find((line) => line.endsWith('/compose_spec.json'));
  if (!path) throw new Error(`compose_spec.json not found in the docker-compose package: ${listed.stderr}`);
  // Its draft-04 style `"id": "<string>"` annotations are not draft 2019-09 keywords; a property named id would
  // hold a schema object, not a string, so only the annotations go.
  return JSON.parse(readFileSync(path, 'utf8'), (key, value: unknown) =>
    key === 'id' && typeof value === 'string' ? undefined : value,
  ) as object;
}

describe('docker-compose.yml', () => {
  it('is valid for docker-compose with its secrets set, and stops at once without them', () => {
    const valid = dockerCompose({ POSTGRES_PASSWORD: 'a-password' }, 'config', '-q');
    expect(valid.stderr).toBe('');
    expect(valid.status).toBe(0);
    const missing = dockerCompose({}, 'config', '-q');
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain('set POSTGRES_PASSWORD');
  });

  it('validates against the Compose specification schema', () => {
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    // The file names its draft as http://…/2019-09/schema#, which Ajv knows by its https name: Ajv2019 is that draft.
    const { $schema: _draft, ...schema } = composeSpecSchema() as { $schema?: string };
    const validate = ajv.compile(schema);
    const raw = parse(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }) as Record<string, unknown>;
    // Extension fields (x-*) are allowed at the top level; the schema checks everything else.
    expect(validate(raw), JSON.stringify(validate.errors)).toBe(true);
    expect(
      validate({ ...raw, services: { broken: { image: 'x', depends_on: { y: { condition: 'whenever' } } } } }),
    ).toBe(false);
  });

  it('runs redis, postgres, the migration, two or more gateways, the scheduler and nginx in order', () => {
    const { services } = compose;
    for (const name of ['redis', 'postgres']) expect(services[name]!.healthcheck.test, name).toBeDefined();
    expect(services.migrate!.command).toEqual(['node', 'dist/apps/migrate/main.js']);
    const gateways = Object.keys(services).filter((name) => name.startsWith('gateway'));
    expect(gateways.length).toBeGreaterThanOrEqual(2);
    for (const name of [...gateways, 'scheduler']) {
      expect(services[name]!.depends_on, name).toEqual({
        redis: { condition: 'service_healthy' },
        postgres: { condition: 'service_healthy' },
        migrate: { condition: 'service_completed_successfully' },
      });
      expect(services[name]!.environment.REDIS_URL).toBe('redis://redis:6379');
    }
    expect(new Set(gateways.map((name) => services[name]!.environment.REPLICA_ID)).size).toBe(gateways.length);
    expect(Object.keys(services.nginx!.depends_on).sort()).toEqual(gateways.sort());
    const images = Object.values(services).map((service) => service.image as string);
    // Pinned, also behind a variable that swaps the image (REDIS_IMAGE…, for a mirror or locally made images).
    for (const image of images)
      expect(image).toMatch(
        /^(\$\{[A-Z_]+_IMAGE:-[\w./-]+:\d[\w.-]*\}|[\w./-]+:(\d[\w.-]*|\$\{RENDEZVOUS_VERSION:-\d[\w.-]*\}))$/,
      );
  });

  it('trusts only nginx’s fixed address as a proxy, not the whole container network', () => {
    const { services } = compose;
    const nginxAddress = services.nginx!.networks.default.ipv4_address as string;
    expect((compose as Record<string, any>).networks.default.ipam.config[0].subnet).toBe('172.30.0.0/24');
    for (const name of Object.keys(services).filter((each) => each.startsWith('gateway'))) {
      expect(services[name]!.environment.TRUSTED_PROXIES, name).toBe(`${'$'}{TRUSTED_PROXIES:-${nginxAddress}}`);
    }
  });

  it('ships an nginx configuration nginx accepts, proxying WebSocket upgrades to every gateway', () => {
    const config = readFileSync(join(ROOT, 'deploy/nginx/nginx.conf'), 'utf8');
    for (const name of Object.keys(compose.services).filter((each) => each.startsWith('gateway'))) {
      expect(config).toContain(`server ${name}:8080`);
    }
    const proxy = readFileSync(join(ROOT, 'deploy/nginx/rendezvous-proxy.conf'), 'utf8');
    expect(proxy).toContain('proxy_set_header Upgrade $http_upgrade;');
    expect(proxy).toContain('proxy_set_header Connection $connection_upgrade;');
    // nginx -t on the same file, with the compose hostnames and paths pointed at this machine.
    const dir = mkdtempSync(join(tmpdir(), 'rv-nginx-test-'));
    try {
      const local = config
        .replace(/server gateway-\d+:8080/g, 'server 127.0.0.1:9')
        .replace('/etc/nginx/rendezvous-proxy.conf', join(ROOT, 'deploy/nginx/rendezvous-proxy.conf'))
        .replace('listen 8080;', 'listen 127.0.0.1:9;');
      writeFileSync(join(dir, 'nginx.conf'), `pid ${join(dir, 'nginx.pid')};\n${local}`);
      const checked = spawnSync('/usr/sbin/nginx', ['-t', '-e', 'stderr', '-p', dir, '-c', join(dir, 'nginx.conf')], {
        encoding: 'utf8',
      });
      expect(checked.stderr).toContain('syntax is ok');
      expect(checked.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
