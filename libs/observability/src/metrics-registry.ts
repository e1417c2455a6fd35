import { collectDefaultMetrics, Registry } from 'prom-client';

/** The process's Prometheus registry (one per app): default Node metrics plus each app's own. */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}
