import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/ports.js';

const NODE_SH = join(repoRoot(), 'tools/node.sh');
const cache = mkdtempSync(join(tmpdir(), 'rv-node-cache-'));
const env = { ...process.env, RENDEZVOUS_NODE_CACHE: cache };
const version = execFileSync(NODE_SH, ['--print-version'], { encoding: 'utf8' }).trim();

const runWithPinnedNode = (args: string[]) => spawnSync(NODE_SH, args, { env, encoding: 'utf8', timeout: 120_000 });

/** The Node.js that CI, the image and `tools/node.sh` run: fetched by integrity, cached, and nothing else. */
describe('tools/node.sh', () => {
  afterAll(() => rmSync(cache, { recursive: true, force: true }));

  it('runs a command on the pinned Node.js with its headers for native modules', () => {
    const result = runWithPinnedNode(['node', '-p', 'process.version + " " + process.env.npm_config_nodedir']);
    expect(result.status, result.stderr).toBe(0);
    const [printed, nodedir] = result.stdout.trim().split(' ');
    expect(printed).toBe(`v${version}`);
    expect(readdirSync(join(nodedir!, 'include/node'))).toContain('node_api.h');
  }, 120_000);

  it('replaces a cached tarball that does not match the pinned integrity with a verified one', () => {
    const tarball = readdirSync(cache).find((name) => name.endsWith('.tgz'))!;
    const kept = join(cache, 'kept.tgz');
    copyFileSync(join(cache, tarball), kept);
    writeFileSync(join(cache, tarball), 'not node');
    const result = runWithPinnedNode(['node', '--version']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain(`fetching node-linux-`);
    expect(result.stdout.trim()).toBe(`v${version}`);
    // The fetched one is the same bytes as the first.
    expect(execFileSync('cmp', [join(cache, tarball), kept]).toString()).toBe('');
  }, 120_000);

  it('uses the cache without the network once the tarball is verified', () => {
    const result = runWithPinnedNode(['node', '--version']);
    expect(result.status).toBe(0);
    expect(result.stderr).not.toContain('fetching');
  });
});
