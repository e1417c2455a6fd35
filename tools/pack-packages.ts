// Builds the publishable packages (packages/<name>/package.json) from the declaration build of the libs
// (tsconfig.packages.json, aliases already made relative by tsc-alias) and packs each with `npm pack` into
// build/packages/. Run through `npm run pack:packages`.
import { execFileSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { repoRoot } from '../test/support/ports.js';

const root = repoRoot();
const compiled = join(root, 'build/packages/compiled');
const staging = join(root, 'build/packages/staging');
const output = join(root, 'build/packages');

interface Manifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  [key: string]: unknown;
}

const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** Where a lib of ours is imported from once packed: inside the package (a path) or another package (a name). */
type LibTarget = { package: string } | { path: string };

interface PackageSpec {
  dir: string;
  /** Copies the package's files into `into`. */
  stage(into: string): void;
  /** The target of each lib the package's files import, by lib name; an import of any other lib is an error. */
  libs: Record<string, LibTarget>;
  /** Where the package's own files are inside `into` (to rewrite their imports). */
  sources: string;
}

const libDir = (lib: string) => join(compiled, 'libs', lib, 'src');

const specs: PackageSpec[] = [
  {
    dir: 'protocol',
    sources: 'dist',
    libs: {},
    stage: (into) => cpSync(libDir('protocol'), join(into, 'dist'), { recursive: true }),
  },
  {
    dir: 'client',
    sources: 'dist',
    // The protocol's types (no zod) travel with the client.
    libs: { protocol: { path: 'dist/protocol/types.js' } },
    stage: (into) => {
      cpSync(libDir('client'), join(into, 'dist'), { recursive: true });
      for (const file of ['types', 'errors', 'events', 'payloads'])
        for (const extension of ['.js', '.d.ts'])
          cpSync(join(libDir('protocol'), file + extension), join(into, 'dist/protocol', file + extension));
    },
  },
  {
    dir: 'server',
    // The compiled tree keeps the repository's layout, so the code finds prisma/ and the demo as it does here.
    sources: 'dist/libs/server',
    libs: {},
    stage: (into) => {
      for (const lib of readdirSync(join(compiled, 'libs')).filter((name) => name !== 'testing'))
        cpSync(libDir(lib), join(into, 'dist/libs', lib, 'src'), { recursive: true });
      cpSync(join(compiled, 'generated'), join(into, 'dist/generated'), { recursive: true });
      cpSync(join(root, 'libs/cluster/src/lua'), join(into, 'dist/libs/cluster/src/lua'), { recursive: true });
      cpSync(join(root, 'libs/server/demo'), join(into, 'libs/server/demo'), { recursive: true });
      for (const provider of ['sqlite', 'postgresql'])
        cpSync(join(root, 'prisma', provider), join(into, 'prisma', provider), { recursive: true });
    },
  },
  {
    dir: 'testing',
    sources: 'dist',
    libs: { server: { package: '@rendezvous/server' }, protocol: { package: '@rendezvous/protocol' } },
    stage: (into) => cpSync(libDir('testing'), join(into, 'dist'), { recursive: true }),
  },
];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** tsc-alias made `@rendezvous/<lib>` a relative path to the compiled lib; point it where the package has it. */
function rewriteLibImports(into: string, spec: PackageSpec): void {
  const sources = join(into, spec.sources);
  for (const file of filesUnder(sources).filter((path) => /\.(js|d\.ts)$/.test(path))) {
    const text = readFileSync(file, 'utf8');
    const rewritten = text.replace(
      /(from |import\(|import )(['"])((?:\.\.\/)+)([a-z-]+)\/src\/index\.js\2/g,
      (whole, keyword: string, quote: string, _up: string, lib: string) => {
        const target = spec.libs[lib];
        if (!target) {
          if (existsSync(join(sources, '..', lib))) return whole; // a lib inside this package
          throw new Error(`${relative(into, file)} imports lib "${lib}", which @rendezvous/${spec.dir} lacks`);
        }
        if ('package' in target) return `${keyword}${quote}${target.package}${quote}`;
        let path = relative(dirname(file), join(into, target.path));
        if (!path.startsWith('.')) path = `./${path}`;
        return `${keyword}${quote}${path}${quote}`;
      },
    );
    if (rewritten !== text) writeFileSync(file, rewritten);
  }
}

const NODE_BUILTINS = new Set(builtinModules);

/** Every package a staged file imports is one its manifest names, and every version comes from the root's. */
function completeManifest(into: string, manifest: Manifest, versions: Record<string, string>): Manifest {
  for (const field of ['dependencies', 'peerDependencies'] as const) {
    const deps = manifest[field];
    if (!deps) continue;
    for (const name of Object.keys(deps)) {
      if (deps[name]) continue;
      const version = versions[name] ?? rootManifest.dependencies[name] ?? rootManifest.devDependencies[name];
      if (!version) throw new Error(`${manifest.name}: no version for ${name} in the root package.json`);
      deps[name] =
        field === 'peerDependencies' && !name.startsWith('@rendezvous/') ? `^${version.replace(/^\^/, '')}` : version;
    }
  }
  const declared = new Set([
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
  ]);
  const missing = new Set<string>();
  for (const file of filesUnder(join(into, 'dist')).filter((path) => path.endsWith('.js'))) {
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/(?:from |import\()['"]([^'"./][^'"]*)['"]/g)) {
      const name = specifier!.startsWith('@') ? specifier!.split('/').slice(0, 2).join('/') : specifier!.split('/')[0]!;
      if (!name.startsWith('node:') && !NODE_BUILTINS.has(name) && !declared.has(name)) missing.add(name);
    }
  }
  if (missing.size) throw new Error(`${manifest.name} imports undeclared packages: ${[...missing].join(', ')}`);
  return manifest;
}

rmSync(staging, { recursive: true, force: true });
for (const file of existsSync(output) ? readdirSync(output) : []) if (file.endsWith('.tgz')) rmSync(join(output, file));
const versions: Record<string, string> = {};
const manifests = specs.map((spec) => {
  const manifest = JSON.parse(readFileSync(join(root, 'packages', spec.dir, 'package.json'), 'utf8')) as Manifest;
  versions[manifest.name] = manifest.version;
  return manifest;
});
mkdirSync(output, { recursive: true });
specs.forEach((spec, index) => {
  const into = join(staging, spec.dir);
  spec.stage(into);
  rewriteLibImports(into, spec);
  const manifest = completeManifest(into, manifests[index]!, versions);
  writeFileSync(join(into, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  cpSync(join(root, 'packages', spec.dir, 'README.md'), join(into, 'README.md'));
  const packed = execFileSync('npm', ['pack', '--silent', '--pack-destination', output], {
    cwd: into,
    encoding: 'utf8',
  });
  process.stdout.write(`${manifest.name}@${manifest.version}: build/packages/${packed.trim().split('\n').pop()}\n`);
});
