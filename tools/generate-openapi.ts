// Writes docs/openapi.yaml (npm run docs:openapi).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../test/support/ports.js';
import { OPENAPI_PATH, renderOpenApiDocument } from './openapi.js';

writeFileSync(join(repoRoot(), OPENAPI_PATH), renderOpenApiDocument());
process.stdout.write(`Wrote ${OPENAPI_PATH}\n`);
