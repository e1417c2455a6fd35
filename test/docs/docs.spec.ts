import { CONFIG_VARIABLES } from '@rendezvous/config';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/ports.js';

const read = (path: string) => readFileSync(join(repoRoot(), path), 'utf8');
const section = (text: string, heading: string) => {
  const start = text.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`no "${heading}" section`);
  const end = text.indexOf('\n## ', start + heading.length + 2);
  return text.slice(start, end < 0 ? undefined : end);
};

describe('documentation', () => {
  it('lists every configuration variable in the README and in docs/DEPLOYMENT.md', () => {
    const readme = section(read('README.md'), '## Configuration');
    const deployment = section(read('docs/DEPLOYMENT.md'), '## Variables');
    expect(CONFIG_VARIABLES.length).toBeGreaterThan(50);
    for (const name of CONFIG_VARIABLES) {
      expect(readme, `README: ${name}`).toContain(`\`${name}\``);
      expect(deployment, `DEPLOYMENT: ${name}`).toContain(`\`${name}\``);
    }
  });

  it('links the protocol, benchmarks and deployment documents from the README', () => {
    const readme = read('README.md');
    for (const doc of ['docs/PROTOCOL.md', 'docs/BENCHMARKS.md', 'docs/DEPLOYMENT.md']) {
      expect(readme).toContain(`(${doc})`);
      expect(read(doc).length).toBeGreaterThan(1000);
    }
  });
});
