// `npm start` runs this first: on a Node.js older than package.json's engines, a clear way forward instead of a
// crash somewhere inside a dependency.
import { readFileSync } from 'node:fs';

const { engines } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const minimum = engines.node.replace(/^>=\s*/, '');
const [major, minor] = process.versions.node.split('.').map(Number);
const [needMajor, needMinor] = minimum.split('.').map(Number);
if (major < needMajor || (major === needMajor && minor < needMinor)) {
  console.error(
    [
      `Rendezvous needs Node.js ${minimum} or newer (24 LTS recommended); this is Node.js ${process.versions.node}.`,
      'Without installing anything system-wide, tools/node.sh runs a command on the Node.js the image ships',
      '(fetched once from the npm registry, checked, and cached):',
      '',
      '  tools/node.sh npm ci && tools/node.sh npm start',
      '',
    ].join('\n'),
  );
  process.exit(1);
}
