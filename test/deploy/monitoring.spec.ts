import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as monitoringV1 from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import * as networkingV1 from 'kubernetes-models/networking.k8s.io/v1';
import * as coreV1 from 'kubernetes-models/v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from '../support/clients.js';
import { renderKustomization } from '../support/kustomize.js';
import { eventually, freePort, repoRoot } from '../support/ports.js';
import { ManagedProcess } from '../support/processes.js';
import { parsePrometheusText, type Sample } from '../support/prometheus.js';
import { RedisServer } from '../support/redis-server.js';
import { Replica } from '../support/replica.js';

const K8S = join(repoRoot(), 'k8s');
const monitoring = renderKustomization(join(K8S, 'monitoring'), join(K8S, 'secrets.env.example'));
const main = renderKustomization(K8S, join(K8S, 'secrets.env.example'));
const find = (objects: typeof main, kind: string, name: string) => {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
};

const rules = find(monitoring, 'PrometheusRule', 'rendezvous').spec.groups.flatMap(
  (group: { rules: { alert: string; expr: string }[] }) => group.rules,
) as { alert: string; expr: string; labels: Record<string, string> }[];
const dashboard = JSON.parse(
  find(monitoring, 'ConfigMap', 'rendezvous-grafana-dashboard').data['rendezvous-dashboard.json'],
) as { uid: string; panels: { title: string; targets: { expr: string }[] }[] };
const expressions = [
  ...rules.map((rule) => ({ where: `alert ${rule.alert}`, expr: rule.expr })),
  ...dashboard.panels.flatMap((panel) =>
    panel.targets.map((target) => ({ where: `panel "${panel.title}"`, expr: target.expr })),
  ),
];

/** Series kube-state-metrics exports (the alerts about pods and deployments use them; Rendezvous does not). */
const KUBE_STATE_METRICS = new Set([
  'kube_deployment_status_replicas_available',
  'kube_pod_container_status_restarts_total',
]);
const PROMQL_WORDS = new Set([
  'sum',
  'max',
  'min',
  'avg',
  'by',
  'rate',
  'increase',
  'histogram_quantile',
  'time',
  'le',
]);

/** The series an expression reads, each with the label names it filters or groups that series by. */
function seriesOf(expr: string): { name: string; labels: string[] }[] {
  const found: { name: string; labels: string[] }[] = [];
  const grouping = [...expr.matchAll(/by \(([^)]*)\)/g)].flatMap((match) => match[1]!.split(',').map((l) => l.trim()));
  for (const match of expr.matchAll(/\b([a-z_:][a-z0-9_:]*)(\{[^}]*\})?/g)) {
    const name = match[1]!;
    if (PROMQL_WORDS.has(name) || grouping.includes(name) || !/_/.test(name)) continue;
    const selector = [...(match[2] ?? '').matchAll(/([a-z_]+)\s*(?:=~|!=|=)/g)].map((label) => label[1]!);
    found.push({ name, labels: selector });
  }
  return found.map((series) => ({
    ...series,
    labels: [...series.labels, ...grouping.filter((l) => l !== 'le' && l !== 'pod')],
  }));
}

describe('k8s/monitoring (ServiceMonitor, PodMonitor, PrometheusRule, Grafana dashboard)', () => {
  let redis: RedisServer;
  let gateway: Replica;
  let scheduler: ManagedProcess;
  let schedulerPort: number;
  const dir = mkdtempSync(join(tmpdir(), 'rv-monitoring-'));
  const scraped: Sample[] = [];
  const declared = new Set<string>();

  beforeAll(async () => {
    redis = await RedisServer.start();
    const databaseUrl = `file:${join(dir, 'rendezvous.db')}`;
    gateway = await Replica.start('gateway-metrics', { REDIS_URL: redis.url, DATABASE_URL: databaseUrl });
    schedulerPort = await freePort();
    scheduler = ManagedProcess.start(
      'scheduler-metrics',
      process.execPath,
      [join(repoRoot(), 'dist/apps/scheduler/main.js')],
      {
        env: {
          PATH: process.env.PATH,
          HOST: '127.0.0.1',
          SCHEDULER_PORT: String(schedulerPort),
          NODE_ENV: 'test',
          REDIS_URL: redis.url,
          DATABASE_URL: databaseUrl,
          ROOM_CLEANUP_INTERVAL_MINUTES: '0.005',
          PREVIEW_CLEANUP_INTERVAL_MINUTES: '0.005',
          PREVIEW_DIR: join(dir, 'previews'),
        },
      },
    );
    await scheduler.waitForOutput(/scheduler .* started/, 20_000);

    // Traffic, so that labelled series have samples: a relayed signal and a refused handshake.
    const host = await TestClient.connect(gateway.url);
    const guest = await TestClient.connect(gateway.url);
    await TestClient.pairInFlight(host, guest);
    await host.signal({ type: 'offer' });
    await guest.waitFor('signal');
    await fetch(`${gateway.url}/socket.io/?EIO=4&transport=polling`, { headers: { Origin: 'https://evil.example' } });
    host.close();
    guest.close();

    const scrape = async (url: string) => {
      const text = await (await fetch(url)).text();
      for (const [, name] of text.matchAll(/^# TYPE (\S+) /gm)) declared.add(name!);
      return parsePrometheusText(text);
    };
    const schedulerSamples = await eventually(
      async () => {
        const samples = await scrape(`http://127.0.0.1:${schedulerPort}/metrics`);
        const ran = samples.some(
          (sample) => sample.name === 'rendezvous_job_runs_total' && sample.labels.result === 'ok',
        );
        return ran && samples;
      },
      'the scheduler reports a job run',
      15_000,
    );
    scraped.push(...schedulerSamples);
    scraped.push(...(await scrape(`${gateway.url}/metrics`)));
  }, 90_000);

  afterAll(async () => {
    await scheduler?.stop();
    await gateway?.stop();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('validates against the Prometheus Operator and Kubernetes schemas', () => {
    const models: Record<string, Record<string, unknown>> = {
      'monitoring.coreos.com/v1': monitoringV1,
      'networking.k8s.io/v1': networkingV1,
      v1: coreV1,
    };
    expect(monitoring.map((object) => object.kind).sort()).toEqual(
      ['ConfigMap', 'NetworkPolicy', 'PodMonitor', 'PrometheusRule', 'ServiceMonitor'].sort(),
    );
    for (const object of monitoring) {
      const Model = models[object.apiVersion]?.[object.kind] as
        (new (data: unknown) => { validate(): void }) | undefined;
      expect(Model, `${object.apiVersion} ${object.kind}`).toBeDefined();
      expect(() => new Model!(object).validate(), `${object.kind}/${object.metadata.name}`).not.toThrow();
    }
    const broken = structuredClone(find(monitoring, 'ServiceMonitor', 'rendezvous-gateway'));
    broken.spec.endpoints[0].interval = 15;
    expect(() => new monitoringV1.ServiceMonitor(broken as never).validate()).toThrow(/interval/);
  });

  it('scrapes the gateway Service and the scheduler pods on their http port', () => {
    const service = find(main, 'Service', 'rendezvous-gateway');
    const serviceMonitor = find(monitoring, 'ServiceMonitor', 'rendezvous-gateway');
    for (const [key, value] of Object.entries(serviceMonitor.spec.selector.matchLabels as Record<string, string>))
      expect(service.metadata.labels?.[key], key).toBe(value);
    expect(service.spec.ports.map((port: { name: string }) => port.name)).toContain(
      serviceMonitor.spec.endpoints[0].port,
    );
    const schedulerPods = find(main, 'Deployment', 'rendezvous-scheduler').spec.template;
    const podMonitor = find(monitoring, 'PodMonitor', 'rendezvous-scheduler');
    for (const [key, value] of Object.entries(podMonitor.spec.selector.matchLabels as Record<string, string>))
      expect(schedulerPods.metadata.labels[key], key).toBe(value);
    const ports = schedulerPods.spec.containers[0].ports.map((port: { name: string }) => port.name);
    expect(ports).toContain(podMonitor.spec.podMetricsEndpoints[0].port);
    for (const object of monitoring) expect(object.metadata.namespace).toBe('rendezvous');
  });

  it('alerts on no ready replicas, Redis errors, relay p99, restarts and job failures', () => {
    const alerts = rules.map((rule) => rule.alert);
    for (const alert of [
      'RendezvousNoReadyReplicas',
      'RendezvousRedisErrors',
      'RendezvousRelayLatencyHigh',
      'RendezvousReplicaRestarts',
      'RendezvousJobFailures',
    ])
      expect(alerts).toContain(alert);
    for (const rule of rules) expect(['critical', 'warning'], rule.alert).toContain(rule.labels.severity);
  });

  it('names only series, and labels, that a scraped /metrics has (kube-state-metrics aside)', () => {
    expect(expressions.length).toBeGreaterThan(20);
    const baseName = (name: string) => name.replace(/_(bucket|sum|count)$/, '');
    for (const { where, expr } of expressions) {
      for (const { name, labels } of seriesOf(expr)) {
        if (KUBE_STATE_METRICS.has(name)) continue;
        expect(declared.has(name) || declared.has(baseName(name)), `${where}: ${name}`).toBe(true);
        const samples = scraped.filter((sample) => sample.name === name || baseName(sample.name) === baseName(name));
        if (samples.length === 0) continue; // declared, no sample yet (a refusal that did not happen)
        for (const label of labels)
          expect(
            samples.some((sample) => label in sample.labels),
            `${where}: ${name} has no label ${label}`,
          ).toBe(true);
      }
    }
  });

  it('has a dashboard panel for each thing operators watch', () => {
    expect(dashboard.uid).toBe('rendezvous');
    const text = JSON.stringify(dashboard.panels.map((panel) => panel.targets.map((target) => target.expr)));
    for (const series of [
      'rendezvous_clients',
      'rendezvous_cluster_objects',
      'rendezvous_relayed_messages_total',
      'rendezvous_relay_duration_seconds_bucket',
      'rendezvous_rejected_connections_total',
      'rendezvous_redis_errors_total',
      'rendezvous_job_runs_total',
    ])
      expect(text).toContain(series);
    expect(readFileSync(join(K8S, 'monitoring', 'rendezvous-dashboard.json'), 'utf8')).toContain('"panels"');
  });
});
