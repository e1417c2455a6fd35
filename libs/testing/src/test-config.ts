import {
  type IceServerConfig,
  type RendezvousConfig,
  type RendezvousConfigOverrides,
  mergeOverrides,
  resolveModuleConfig,
} from '@rendezvous/server';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** ICE servers that look real to a client and reach nothing: tests check what is handed out, not TURN itself. */
export const FAKE_ICE_SERVERS: IceServerConfig[] = [
  { urls: 'stun:stun.rendezvous.test:3478' },
  { urls: ['turn:turn.rendezvous.test:3478?transport=udp'], username: 'test-user', credential: 'test-credential' },
];

const scratchDirs: string[] = [];
let cleanupRegistered = false;

/** A temporary folder removed when the test process exits (SQLite files, previews). */
export function scratchDir(prefix = 'rendezvous-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratchDirs.push(dir);
  if (!cleanupRegistered) {
    cleanupRegistered = true;
    process.once('exit', () => {
      for (const path of scratchDirs) rmSync(path, { recursive: true, force: true });
    });
  }
  return dir;
}

/**
 * The configuration of a Rendezvous under test: standalone (in-memory live state) unless `overrides` name Redis,
 * a fresh SQLite file and previews folder in a temporary folder, FAKE_ICE_SERVERS, loopback, errors-only logs,
 * and room for many test clients from one address (MAX_CONNECTIONS_PER_IP 10,000). Everything else has its
 * production default, so a test sees the limits and messages users do.
 */
export function rendezvousTestConfig(overrides: RendezvousConfigOverrides = {}): RendezvousConfig {
  const dir = scratchDir();
  const testDefaults: RendezvousConfigOverrides = {
    server: { nodeEnv: 'test', host: '127.0.0.1', port: 0, logLevel: 'error' },
    database: { url: `file:${join(dir, 'rendezvous.db')}` },
    previews: { dir: join(dir, 'previews') },
    ice: { servers: FAKE_ICE_SERVERS },
    limits: { connectionsPerIp: 10_000 },
  };
  return resolveModuleConfig({ config: mergeOverrides(testDefaults, overrides) });
}
