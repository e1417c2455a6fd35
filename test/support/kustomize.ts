import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [key: string]: unknown };
  [key: string]: any;
}

/**
 * The objects `kubectl apply -k dir` would create, rendered by the real kustomize (`kubectl kustomize`), from a
 * copy of `dir` with `secretsFile` as the operator's secrets.env: generated names carry their hash suffix, the
 * references to them are rewritten, `images:` is applied.
 */
export function renderKustomization(dir: string, secretsFile: string): KubernetesObject[] {
  const copy = mkdtempSync(join(tmpdir(), 'rv-kustomize-'));
  try {
    cpSync(dir, copy, { recursive: true, filter: (source) => !source.endsWith('secrets.env') });
    cpSync(secretsFile, join(copy, 'secrets.env'));
    let rendered: string;
    try {
      rendered = execFileSync('kubectl', ['kustomize', copy], { encoding: 'utf8', timeout: 60_000 });
    } catch (error) {
      throw new Error(
        `kubectl kustomize failed (a kubectl with kustomize 5 is needed; Debian's kubernetes-client is too old): ${
          (error as Error).message
        }`,
        { cause: error },
      );
    }
    return parseAllDocuments(rendered).map((document) => {
      if (document.errors.length > 0) throw new Error(`kubectl kustomize: ${document.errors[0]!.message}`);
      return document.toJS() as KubernetesObject;
    });
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}
