import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/ports.js';

const ROOT = repoRoot();

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

/** Dockerfile instructions with continuation lines joined and comments dropped. */
function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = '';
  let startLine = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) return;
    if (!pending) startLine = index + 1;
    pending += `${line.replace(/\\$/, '').trim()} `;
    if (line.endsWith('\\')) return;
    const [keyword, ...rest] = pending.trim().split(/\s+/);
    instructions.push({ keyword: keyword!.toUpperCase(), args: rest.join(' '), line: startLine });
    pending = '';
  });
  return instructions;
}

/** Our own lint (hadolint is not packaged here): the rules that matter for this image. */
function lintDockerfile(text: string, fileExists: (path: string) => boolean): string[] {
  const problems: string[] = [];
  const instructions = parseDockerfile(text);
  const args = new Map<string, string>();
  for (const { keyword, args: value } of instructions) {
    if (keyword === 'ARG' && value.includes('=')) args.set(value.split('=')[0]!, value.split('=').slice(1).join('='));
  }
  const stages = instructions.filter((each) => each.keyword === 'FROM');
  if (stages.length < 2) problems.push('not a multi-stage build');
  for (const stage of stages) {
    const image = stage.args.split(/\s+/)[0]!.replace(/^\$\{(\w+)\}$/, (_, name: string) => args.get(name) ?? '');
    if (!/^[\w./-]+:\d[\w.-]*$/.test(image))
      problems.push(`line ${stage.line}: base image "${image}" is not pinned to a version`);
  }
  const finalStage = instructions.slice(instructions.indexOf(stages.at(-1)!));
  const user = finalStage.filter((each) => each.keyword === 'USER').at(-1);
  if (!user || /^(root|0)(:|$)/.test(user.args)) problems.push('the runtime stage does not switch to a non-root USER');
  const cmd = finalStage.find((each) => each.keyword === 'CMD');
  if (!cmd || !cmd.args.startsWith('[')) problems.push('CMD is missing or not in exec form');
  if (user && cmd && finalStage.indexOf(user) > finalStage.indexOf(cmd)) problems.push('USER comes after CMD');
  const healthcheck = finalStage.find((each) => each.keyword === 'HEALTHCHECK');
  if (!healthcheck?.args.includes('/health/live')) problems.push('no HEALTHCHECK on /health/live');
  for (const { keyword, args: value, line } of instructions) {
    if (keyword === 'ADD') problems.push(`line ${line}: ADD (use COPY)`);
    if (keyword === 'RUN' && /apt-get install/.test(value)) {
      if (!value.includes('--no-install-recommends'))
        problems.push(`line ${line}: apt-get install without --no-install-recommends`);
      if (!value.includes('rm -rf /var/lib/apt/lists')) problems.push(`line ${line}: apt lists left in the layer`);
    }
    if (keyword === 'COPY' && !value.startsWith('--from')) {
      const sources = value
        .split(/\s+/)
        .filter((part) => !part.startsWith('--'))
        .slice(0, -1);
      for (const source of sources)
        if (!fileExists(source)) problems.push(`line ${line}: COPY source ${source} does not exist`);
    }
  }
  return problems;
}

describe('Dockerfile', () => {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

  it('passes the lint: multi-stage, pinned bases, non-root, exec-form CMD, HEALTHCHECK, clean apt layers', () => {
    expect(lintDockerfile(text, (path) => existsSync(join(ROOT, path)))).toEqual([]);
  });

  it('the lint can fail', () => {
    const bad =
      'FROM node:latest\nADD https://x/y /y\nRUN apt-get update && apt-get install -y curl\nCOPY nope ./\nCMD node main.js\n';
    expect(lintDockerfile(bad, () => false)).toEqual([
      'not a multi-stage build',
      'line 1: base image "node:latest" is not pinned to a version',
      'the runtime stage does not switch to a non-root USER',
      'CMD is missing or not in exec form',
      'no HEALTHCHECK on /health/live',
      'line 2: ADD (use COPY)',
      'line 3: apt-get install without --no-install-recommends',
      'line 3: apt lists left in the layer',
      'line 4: COPY source nope does not exist',
    ]);
  });

  it('copies everything the build compiles, and the build context leaves out what it must not send', () => {
    const copied = parseDockerfile(text)
      .filter((each) => each.keyword === 'COPY' && !each.args.startsWith('--from'))
      .flatMap((each) => each.args.split(/\s+/).slice(0, -1));
    const build = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')) as { include: string[] };
    for (const pattern of build.include) {
      if (pattern.startsWith('generated/')) continue; // written by `npm run build` itself
      const covered = copied.some(
        (source) => pattern === source || pattern.startsWith(`${source.replace(/\/$/, '')}/`),
      );
      expect(covered, pattern).toBe(true);
    }
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['node_modules', 'dist', '.git', '.env']) expect(ignored).toContain(entry);
    // One image, three commands: the compose file and the manifests start each with its own.
    expect(text).toContain('CMD ["node", "dist/apps/gateway/main.js"]');
    for (const app of ['gateway', 'scheduler', 'migrate'])
      expect(existsSync(join(ROOT, `apps/${app}/main.ts`))).toBe(true);
  });

  it('builds on the Node.js that CI runs (tools/node.sh), within engines', () => {
    const pinned = execFileSync(join(ROOT, 'tools/node.sh'), ['--print-version'], { encoding: 'utf8' }).trim();
    expect(text).toContain(`ARG NODE_IMAGE=node:${pinned}-bookworm-slim`);
    // The runtime stage is the same Debian release as the Node image it copies node from.
    expect(text).toMatch(/ARG RUNTIME_IMAGE=debian:12\.\d+-slim/);
    const { engines } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
    const [major, minor] = engines.node.replace('>=', '').split('.').map(Number);
    const [pinnedMajor, pinnedMinor] = pinned.split('.').map(Number);
    expect(pinnedMajor! > major! || (pinnedMajor === major && pinnedMinor! >= minor!)).toBe(true);
  });
});
