// Writes docs/asyncapi.yaml from the protocol's schemas (npm run docs:asyncapi).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../test/support/ports.js';
import { ASYNCAPI_PATH, renderAsyncApiDocument } from './asyncapi.js';

writeFileSync(join(repoRoot(), ASYNCAPI_PATH), renderAsyncApiDocument());
process.stdout.write(`Wrote ${ASYNCAPI_PATH}\n`);
