import { Parser } from '@asyncapi/parser';
import { clientSchemas, serverSchemas } from '@rendezvous/protocol';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ASYNCAPI_PATH, renderAsyncApiDocument } from '../../tools/asyncapi.js';
import { repoRoot } from '../support/ports.js';

const checkedIn = readFileSync(join(repoRoot(), ASYNCAPI_PATH), 'utf8');

describe('docs/asyncapi.yaml', () => {
  it('is what the protocol’s schemas give (run `npm run docs:asyncapi` after changing them)', () => {
    expect(checkedIn).toBe(renderAsyncApiDocument());
  });

  it('is a valid AsyncAPI 3.0 document with an operation per client and per server event', async () => {
    const { document, diagnostics } = await new Parser().parse(checkedIn);
    const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 0);
    expect(errors.map((error) => `${error.path.join('.')}: ${error.message}`)).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
    const operations = document!
      .operations()
      .all()
      .map((operation) => operation.id());
    for (const event of Object.keys(clientSchemas)) expect(operations).toContain(`receive.${event}`);
    for (const event of Object.keys(serverSchemas)) expect(operations).toContain(`send.${event}`);
    const joinFlight = document!.operations().get('receive.join-flight');
    expect(joinFlight?.reply()?.messages().all()).toHaveLength(1);
  });

  it('is stale-checked for real: a changed schema no longer matches the document', () => {
    const schemas = clientSchemas as unknown as Record<string, unknown>;
    const original = schemas['join-flight'];
    schemas['join-flight'] = serverSchemas['flight-created'];
    try {
      expect(renderAsyncApiDocument()).not.toBe(checkedIn);
    } finally {
      schemas['join-flight'] = original;
    }
  });
});
