import { loadConfig } from '@rendezvous/config';
import * as autoscalingV2 from 'kubernetes-models/autoscaling/v2';
import * as appsV1 from 'kubernetes-models/apps/v1';
import * as batchV1 from 'kubernetes-models/batch/v1';
import * as networkingV1 from 'kubernetes-models/networking.k8s.io/v1';
import * as policyV1 from 'kubernetes-models/policy/v1';
import * as coreV1 from 'kubernetes-models/v1';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type KubernetesObject, renderKustomization } from '../support/kustomize.js';
import { repoRoot } from '../support/ports.js';

const K8S = join(repoRoot(), 'k8s');
const { version: VERSION } = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { version: string };
const objects = renderKustomization(K8S, join(K8S, 'secrets.env.example'));

const MODELS: Record<string, Record<string, unknown>> = {
  v1: coreV1,
  'apps/v1': appsV1,
  'batch/v1': batchV1,
  'autoscaling/v2': autoscalingV2,
  'policy/v1': policyV1,
  'networking.k8s.io/v1': networkingV1,
};

/** `name`, or kustomize's generated `name-<hash>` (a Secret from the generator). */
const find = (kind: string, name: string) => {
  const found = objects.find(
    (object) => object.kind === kind && (object.metadata.name === name || object.metadata.name.startsWith(`${name}-`)),
  );
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
};
const podSpecOf = (object: KubernetesObject) => object.spec.template.spec as Record<string, any>;
const workloads = objects.filter((object) => ['Deployment', 'StatefulSet', 'Job'].includes(object.kind));
const containersOf = (object: KubernetesObject) =>
  [...(podSpecOf(object).initContainers ?? []), ...podSpecOf(object).containers] as Record<string, any>[];
const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

describe('k8s/ (kubectl apply -k k8s)', () => {
  it('has every object the issue asks for', () => {
    // The generated Secret's name ends in its content's hash.
    const kinds = objects
      .map((object) => `${object.kind}/${object.metadata.name.replace(/^(rendezvous-secrets)-[a-z0-9]{10}$/, '$1')}`)
      .sort();
    expect(kinds).toEqual(
      [
        'ConfigMap/rendezvous-config',
        'Deployment/rendezvous-gateway',
        'Deployment/rendezvous-scheduler',
        'HorizontalPodAutoscaler/rendezvous-gateway',
        'Ingress/rendezvous',
        `Job/rendezvous-migrate-${VERSION.replace(/\./g, '-')}`,
        'Namespace/rendezvous',
        'NetworkPolicy/rendezvous-gateway-ingress-only',
        'PodDisruptionBudget/rendezvous-gateway',
        'Secret/rendezvous-secrets',
        'Service/rendezvous-gateway',
        'Service/rendezvous-postgres',
        'Service/rendezvous-redis',
        'StatefulSet/rendezvous-postgres',
        'StatefulSet/rendezvous-redis',
      ].sort(),
    );
  });

  it('lets only the ingress controller reach the gateway pods, and trusts no whole private range as proxies', () => {
    const policy = find('NetworkPolicy', 'rendezvous-gateway-ingress-only');
    const gatewayLabels = find('Deployment', 'rendezvous-gateway').spec.template.metadata.labels;
    expect(matches(policy.spec.podSelector.matchLabels, gatewayLabels)).toBe(true);
    expect(policy.spec.policyTypes).toEqual(['Ingress']);
    expect(policy.spec.ingress).toHaveLength(1);
    expect(policy.spec.ingress[0].from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } },
    ]);
    const trusted = String(find('ConfigMap', 'rendezvous-config').data.TRUSTED_PROXIES).split(',');
    for (const range of ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']) expect(trusted).not.toContain(range);
  });

  it('validates every object against the Kubernetes schemas', () => {
    for (const object of objects) {
      const Model = MODELS[object.apiVersion]?.[object.kind] as
        (new (data: unknown) => { validate(): void }) | undefined;
      expect(Model, `${object.apiVersion} ${object.kind}`).toBeDefined();
      // kustomize folds long base64 values over lines, which the API server's decoder (Go's) skips; the model's
      // "byte" format does not, so it checks them unfolded.
      const checked =
        object.kind === 'Secret'
          ? {
              ...object,
              data: Object.fromEntries(
                Object.entries(object.data ?? {}).map(([k, v]) => [k, String(v).replace(/\n/g, '')]),
              ),
            }
          : object;
      expect(() => new Model!(checked).validate(), `${object.kind}/${object.metadata.name}`).not.toThrow();
    }
  });

  it('can fail: a wrongly typed field is refused', () => {
    const broken = structuredClone(find('Service', 'rendezvous-gateway'));
    broken.spec.ports[0].port = 'eighty';
    expect(() => new coreV1.Service(broken as never).validate()).toThrow(/port/);
  });

  it('runs every container as non-root with pinned images, requests and limits', () => {
    for (const workload of workloads) {
      const pod = podSpecOf(workload);
      expect(pod.securityContext?.runAsNonRoot, workload.metadata.name).toBe(true);
      for (const container of containersOf(workload)) {
        const where = `${workload.metadata.name}/${container.name}`;
        expect(container.image, where).toMatch(/^[^:]+:\d[\w.-]*$/);
        expect(container.image, where).not.toMatch(/:latest$/);
        for (const kind of ['requests', 'limits']) {
          expect(container.resources?.[kind]?.cpu, `${where} ${kind}.cpu`).toBeDefined();
          expect(container.resources?.[kind]?.memory, `${where} ${kind}.memory`).toBeDefined();
        }
        expect(container.securityContext?.allowPrivilegeEscalation, where).toBe(false);
        expect(container.securityContext?.capabilities?.drop, where).toEqual(['ALL']);
      }
    }
  });

  it('rolls the gateway out without losing capacity, probing the right endpoints, draining before it is killed', () => {
    const gateway = find('Deployment', 'rendezvous-gateway');
    expect(gateway.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
    const pod = podSpecOf(gateway);
    const container = pod.containers.find((each: { name: string }) => each.name === 'gateway');
    expect(container.command).toEqual(['node', 'dist/apps/gateway/main.js']);
    expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
    expect(container.livenessProbe.httpGet.path).toBe('/health/live');
    expect(container.startupProbe.httpGet.path).toBe('/health/live');
    const portNames = container.ports.map((port: { name: string }) => port.name);
    for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
      expect(portNames).toContain(container[probe].httpGet.port);
    }
    const preStopSeconds = Number(container.lifecycle.preStop.exec.command.at(-1));
    expect(preStopSeconds).toBeGreaterThan(0);
    const config = find('ConfigMap', 'rendezvous-config').data as Record<string, string>;
    const drainSeconds = Number(config.SHUTDOWN_TIMEOUT_MS) / 1000;
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(preStopSeconds + drainSeconds);
    expect(pod.topologySpreadConstraints.length).toBeGreaterThan(0);
    for (const constraint of pod.topologySpreadConstraints) {
      expect(matches(constraint.labelSelector.matchLabels, gateway.spec.template.metadata.labels)).toBe(true);
    }
    expect(pod.initContainers[0].command.join(' ')).toContain('dist/apps/migrate/main.js --status');
  });

  it('wires the Service, Ingress, HPA and PDB to the gateway pods', () => {
    const gateway = find('Deployment', 'rendezvous-gateway');
    const podLabels = gateway.spec.template.metadata.labels as Record<string, string>;
    expect(matches(gateway.spec.selector.matchLabels, podLabels)).toBe(true);
    const service = find('Service', 'rendezvous-gateway');
    expect(matches(service.spec.selector, podLabels)).toBe(true);
    const [port] = service.spec.ports;
    expect(port.appProtocol).toBe('kubernetes.io/ws');
    const containerPorts = podSpecOf(gateway).containers[0].ports.map((each: { name: string }) => each.name);
    expect(containerPorts).toContain(port.targetPort);

    const backend = find('Ingress', 'rendezvous').spec.rules[0].http.paths[0].backend.service;
    expect(backend).toEqual({ name: service.metadata.name, port: { name: port.name } });
    const annotations = find('Ingress', 'rendezvous').metadata.annotations as Record<string, string>;
    expect(Number(annotations['nginx.ingress.kubernetes.io/proxy-read-timeout'])).toBeGreaterThanOrEqual(3600);
    expect(annotations['nginx.ingress.kubernetes.io/affinity']).toBe('cookie');

    const hpa = find('HorizontalPodAutoscaler', 'rendezvous-gateway');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'rendezvous-gateway' });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    const pdb = find('PodDisruptionBudget', 'rendezvous-gateway');
    expect(matches(pdb.spec.selector.matchLabels, podLabels)).toBe(true);
    expect(pdb.spec.maxUnavailable).toBe(1);
  });

  it('gives Redis and PostgreSQL volumes, and the scheduler and migration job the same image and settings', () => {
    for (const name of ['rendezvous-redis', 'rendezvous-postgres']) {
      const set = find('StatefulSet', name);
      expect(set.spec.volumeClaimTemplates.length).toBe(1);
      expect(find('Service', name).spec.clusterIP).toBe('None');
    }
    const image = podSpecOf(find('Deployment', 'rendezvous-gateway')).containers[0].image;
    expect(podSpecOf(find('Deployment', 'rendezvous-scheduler')).containers[0]).toMatchObject({
      image,
      command: ['node', 'dist/apps/scheduler/main.js'],
    });
    expect(podSpecOf(find('Job', `rendezvous-migrate-${VERSION.replace(/\./g, '-')}`)).containers[0]).toMatchObject({
      image,
      command: ['node', 'dist/apps/migrate/main.js'],
    });
  });

  it('refers only to ConfigMaps and Secrets it defines, and their settings are a valid configuration', () => {
    const names = (kind: string) => new Set(objects.filter((o) => o.kind === kind).map((o) => o.metadata.name));
    const [configMaps, secrets] = [names('ConfigMap'), names('Secret')];
    for (const workload of workloads) {
      for (const container of containersOf(workload)) {
        for (const source of container.envFrom ?? []) {
          if (source.configMapRef) expect(configMaps).toContain(source.configMapRef.name);
          if (source.secretRef) expect(secrets).toContain(source.secretRef.name);
        }
        for (const variable of container.env ?? []) {
          const ref = variable.valueFrom?.secretKeyRef;
          if (ref) expect(secrets).toContain(ref.name);
        }
      }
    }
    const secretData = find('Secret', 'rendezvous-secrets').data as Record<string, string>;
    const env = {
      ...(find('ConfigMap', 'rendezvous-config').data as Record<string, string>),
      ...Object.fromEntries(
        Object.entries(secretData).map(([key, value]) => [key, Buffer.from(value, 'base64').toString()]),
      ),
    };
    const config = loadConfig(env, []);
    expect(config.mode).toBe('cluster');
    expect(config.database.url).toMatch(/^postgresql:\/\//);
  });
  it('is what the real kustomize makes of it: the Secret named by its hash, references rewritten, image tags set', () => {
    const secret = find('Secret', 'rendezvous-secrets');
    expect(secret.metadata.name).toMatch(/^rendezvous-secrets-[a-z0-9]{10}$/);
    const references = workloads.flatMap((workload) =>
      containersOf(workload).flatMap((container) => [
        ...(container.envFrom ?? []).map((source: any) => source.secretRef?.name),
        ...(container.env ?? []).map((variable: any) => variable.valueFrom?.secretKeyRef?.name),
      ]),
    );
    expect(references.filter(Boolean).length).toBeGreaterThan(0);
    for (const name of references.filter(Boolean)) expect(name).toBe(secret.metadata.name);
    for (const object of objects) {
      if (object.kind !== 'Namespace') expect(object.metadata.namespace, object.metadata.name).toBe('rendezvous');
    }
  });

  it('runs this version: the image tag, the migration Job and docker-compose follow package.json', () => {
    for (const workload of workloads.filter((object) => !object.metadata.name.match(/postgres|redis/))) {
      for (const container of containersOf(workload)) {
        expect(container.image, workload.metadata.name).toBe(`registry.example.com/rendezvous:${VERSION}`);
      }
    }
    const compose = readFileSync(join(repoRoot(), 'docker-compose.yml'), 'utf8');
    expect(compose).toContain(`rendezvous:\${RENDEZVOUS_VERSION:-${VERSION}}`);
  });
  it('has no field Kubernetes does not know (each object type-checked against its kubernetes-models interface)', () => {
    // TypeScript's excess-property check on object literals refuses an unknown field at any depth, which the
    // models' validate() lets through. One broken copy proves the check can fail.
    const dir = join(repoRoot(), 'build', 'k8s-typecheck');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const source = (list: KubernetesObject[]) => {
      const imports = list.map(
        (object, index) =>
          `import type { I${object.kind} as T${index} } from 'kubernetes-models/${object.apiVersion}';`,
      );
      const values = list.map((object, index) => `export const o${index}: T${index} = ${JSON.stringify(object)};`);
      return [...imports, ...values].join('\n');
    };
    writeFileSync(join(dir, 'manifests.ts'), source(objects));
    const broken = structuredClone(find('Deployment', 'rendezvous-gateway'));
    broken.spec.template.spec.containers[0].imagePullPolicyy = 'Always';
    writeFileSync(join(dir, 'broken.ts'), source([broken]));
    const result = spawnSync(
      join(repoRoot(), 'node_modules/.bin/tsc'),
      [
        '--noEmit',
        '--strict',
        '--skipLibCheck',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--types',
        'node',
        join(dir, 'manifests.ts'),
        join(dir, 'broken.ts'),
      ],
      { cwd: repoRoot(), encoding: 'utf8', timeout: 120_000 },
    );
    const errors = result.stdout.split('\n').filter((line) => line.includes('error TS'));
    expect(errors.filter((line) => !line.includes('broken.ts'))).toEqual([]);
    expect(errors.join('\n')).toMatch(/broken\.ts.*known properties.*imagePullPolicyy.*IContainer/);
  });
});
