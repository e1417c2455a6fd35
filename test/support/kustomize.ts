import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [key: string]: unknown };
  [key: string]: any;
}

interface Kustomization {
  namespace?: string;
  resources: string[];
  labels?: { pairs: Record<string, string>; includeSelectors?: boolean }[];
  secretGenerator?: { name: string; envs: string[] }[];
  images?: { name: string; newTag: string }[];
}

const CLUSTER_SCOPED = new Set(['Namespace']);

/**
 * The objects `kubectl apply -k dir` would create, for the features our kustomization.yaml uses (namespace,
 * labels with selectors, an env-file Secret generator, image tags). `secretsFile` stands in for the
 * operator's secrets.env. Generated names carry no hash suffix here.
 */
export function renderKustomization(dir: string, secretsFile: string): KubernetesObject[] {
  const kustomization = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as Kustomization;
  const objects: KubernetesObject[] = [];
  for (const resource of kustomization.resources) {
    for (const document of parseAllDocuments(readFileSync(join(dir, resource), 'utf8'))) {
      if (document.errors.length > 0) throw new Error(`${resource}: ${document.errors[0]!.message}`);
      const object = document.toJS() as KubernetesObject | null;
      if (object) objects.push(object);
    }
  }
  for (const generator of kustomization.secretGenerator ?? []) {
    const data: Record<string, string> = {};
    for (const line of readFileSync(secretsFile, 'utf8').split('\n')) {
      const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
      if (match) data[match[1]!] = Buffer.from(match[2]!).toString('base64');
    }
    objects.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: generator.name }, type: 'Opaque', data });
  }
  const labels = Object.assign({}, ...(kustomization.labels ?? []).map((entry) => entry.pairs)) as Record<
    string,
    string
  >;
  const withSelectors = (kustomization.labels ?? []).some((entry) => entry.includeSelectors);
  for (const object of objects) {
    if (kustomization.namespace && !CLUSTER_SCOPED.has(object.kind))
      object.metadata.namespace = kustomization.namespace;
    object.metadata.labels = { ...object.metadata.labels, ...labels };
    if (!withSelectors) continue;
    if (object.spec?.selector?.matchLabels) Object.assign(object.spec.selector.matchLabels, labels);
    else if (object.kind === 'Service' && object.spec?.selector) Object.assign(object.spec.selector, labels);
    const template = object.spec?.template?.metadata;
    if (template) template.labels = { ...template.labels, ...labels };
  }
  return objects;
}
