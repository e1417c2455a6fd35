// Copies what the compiled code reads at run time and tsc does not emit: the Lua scripts of each lib.
import { cpSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../test/support/ports.js';

const root = repoRoot();
for (const lib of readdirSync(join(root, 'libs'))) {
  const scripts = join(root, 'libs', lib, 'src', 'lua');
  if (existsSync(scripts)) cpSync(scripts, join(root, 'dist', 'libs', lib, 'src', 'lua'), { recursive: true });
}
