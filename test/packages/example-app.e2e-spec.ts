import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/ports.js';

const root = repoRoot();
const packages = join(root, 'build/packages');
const workDir = mkdtempSync(join(tmpdir(), 'rv-example-'));
const example = join(workDir, 'nest-app');

/**
 * The child's environment without the variables `npm test` set for itself (they would steer the inner npm), but
 * with the headers native modules are built against (tools/node.sh's Node): better-sqlite3 built against another
 * Node's headers fails to load ("Module did not self-register").
 */
const childEnv = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !name.startsWith('npm_') || name === 'npm_config_nodedir'),
);

function run(command: string, args: string[], cwd: string, timeoutMs: number): string {
  const result = spawnSync(command, args, { cwd, env: childEnv, encoding: 'utf8', timeout: timeoutMs });
  const output = `${result.stdout}\n${result.stderr}`;
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} in ${cwd} failed (${result.status ?? result.signal}):\n${output.slice(-4000)}`,
    );
  }
  return output;
}

describe('the packages, as a NestJS team installs them (examples/nest-app)', () => {
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it('packs, installs from the tarballs without path aliases, type-checks, and passes the example’s own Jest suite', () => {
    execFileSync('npm', ['run', '--silent', 'packages:pack'], { cwd: root, env: childEnv, stdio: 'pipe' });
    const tarballs = readdirSync(packages).filter((name) => name.endsWith('.tgz'));
    expect(tarballs.sort()).toEqual([
      'rendezvous-client-0.2.0.tgz',
      'rendezvous-protocol-0.2.0.tgz',
      'rendezvous-server-0.2.0.tgz',
      'rendezvous-testing-0.2.0.tgz',
    ]);

    // The example as a user has it, its @rendezvous versions taken from the tarballs instead of the registry.
    cpSync(join(root, 'examples/nest-app'), example, {
      recursive: true,
      filter: (source) => !/[/\\](node_modules|dist|data)$/.test(source),
    });
    const manifestPath = join(example, 'package.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, Record<string, string>>;
    const tarballOf = (name: string) => `file:${join(packages, `rendezvous-${name.split('/')[1]}-0.2.0.tgz`)}`;
    for (const field of ['dependencies', 'devDependencies'])
      for (const name of Object.keys(manifest[field] ?? {}))
        if (name.startsWith('@rendezvous/')) manifest[field]![name] = tarballOf(name);
    manifest.overrides = Object.fromEntries(
      ['protocol', 'client', 'server', 'testing'].map((name) => [
        `@rendezvous/${name}`,
        tarballOf(`@rendezvous/${name}`),
      ]),
    );
    writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));

    run('npm', ['install', '--no-audit', '--no-fund'], example, 480_000);
    // No path alias can resolve them: each comes from node_modules.
    for (const name of ['server', 'testing', 'client', 'protocol'])
      expect(readdirSync(join(example, 'node_modules/@rendezvous', name))).toContain('package.json');
    run('npm', ['run', 'typecheck'], example, 120_000);
    const jest = run('npm', ['test'], example, 180_000);
    expect(jest).toMatch(/Tests:\s+4 passed, 4 total/);

    // A bundler takes the client for a browser, socket.io-client and all, and no zod comes with it.
    writeFileSync(
      join(example, 'browser-entry.js'),
      "import { RendezvousClient } from '@rendezvous/client';\nwindow.client = new RendezvousClient(location.origin);\n",
    );
    const bundle = join(example, 'browser-bundle.js');
    run(
      join(root, 'node_modules/.bin/esbuild'),
      ['browser-entry.js', '--bundle', '--platform=browser', '--format=esm', `--outfile=${bundle}`],
      example,
      60_000,
    );
    const bundled = readFileSync(bundle, 'utf8');
    expect(bundled).toMatch(/RendezvousClient = class/);
    expect(bundled).toContain('engine.io');
    expect(bundled).not.toMatch(/\bZodType\b|zod\/v4/);
  }, 900_000);
});
