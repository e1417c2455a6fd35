import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding prisma/<provider>/migrations, found from this file whether it runs from source or dist/. */
export function findPrismaRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    const candidate = join(dir, 'prisma');
    if (existsSync(join(candidate, 'sqlite', 'schema.prisma'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`prisma/ (schemas and migrations) not found above ${from}`);
    dir = parent;
  }
}
