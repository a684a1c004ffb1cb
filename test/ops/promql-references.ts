// What the ops files ask of Keel's metrics: the keel_* series and labels their PromQL refers to, and the
// series Keel's registry actually offers (histograms as _bucket/_sum/_count, as Prometheus sees them).
import { createAnomalyMetrics } from '../../src/monitoring/anomaly/anomaly-metrics.js';
import { createMetrics } from '../../src/monitoring/metrics.js';

/** Series name → the labels it carries (plus Prometheus's own target labels). */
export type MetricCatalog = ReadonlyMap<string, ReadonlySet<string>>;

export interface PromqlReferences {
  /** keel_* series with the label names their selectors match on. */
  readonly series: readonly { readonly name: string; readonly labels: readonly string[] }[];
  /** Labels named in `by (…)`, `without (…)`, `on (…)` and `ignoring (…)`. */
  readonly groupingLabels: readonly string[];
}

/** Labels Prometheus adds to every scraped series. */
export const TARGET_LABELS = ['instance', 'job'];

/** The registry as KeelApp builds it: Keel's metrics, the anomaly metrics and the process metrics. */
export async function keelMetricCatalog(): Promise<MetricCatalog> {
  const metrics = createMetrics();
  createAnomalyMetrics(metrics.registry);
  const catalog = new Map<string, ReadonlySet<string>>();
  for (const family of await metrics.registry.getMetricsAsJSON()) {
    const metric = metrics.registry.getSingleMetric(family.name) as unknown as { labelNames?: string[] };
    const labels = new Set([...(metric.labelNames ?? []), ...TARGET_LABELS]);
    // prom-client's types say an enum; at run time the type is Prometheus's word.
    if (String(family.type) === 'histogram') {
      catalog.set(`${family.name}_bucket`, new Set([...labels, 'le']));
      catalog.set(`${family.name}_sum`, labels);
      catalog.set(`${family.name}_count`, labels);
    } else catalog.set(family.name, labels);
  }
  return catalog;
}

export function promqlReferences(expr: string): PromqlReferences {
  const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const series = [...withoutStrings.matchAll(/\b(keel_[a-z0-9_]+)\s*(\{[^}]*\})?/g)].map((match) => ({
    name: match[1] ?? '',
    labels: [...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)].map(
      (label) => label[1] ?? '',
    ),
  }));
  const groupingLabels = [...withoutStrings.matchAll(/\b(?:by|without|on|ignoring)\s*\(([^)]*)\)/g)].flatMap(
    (match) =>
      (match[1] ?? '')
        .split(',')
        .map((label) => label.trim())
        .filter((label) => label.length > 0),
  );
  return { series, groupingLabels };
}

/** Problems of one expression against the catalog: unknown series, unknown labels. */
export function checkExpr(expr: string, catalog: MetricCatalog, where: string): string[] {
  const { series, groupingLabels } = promqlReferences(expr);
  const problems: string[] = [];
  const known = new Set<string>();
  for (const { name, labels } of series) {
    const offered = catalog.get(name);
    if (offered === undefined) {
      problems.push(`${where}: ${name} is not in Keel's metrics registry`);
      continue;
    }
    for (const label of offered) known.add(label);
    for (const label of labels)
      if (!offered.has(label)) problems.push(`${where}: ${name} has no label ${label}`);
  }
  for (const label of groupingLabels)
    if (series.length > 0 && !known.has(label))
      problems.push(`${where}: grouping by ${label}, which none of its series carries`);
  return problems;
}

/** Labels an expression's results may carry: those of its keel_* series, or of `up`. */
export function labelsOf(expr: string, catalog: MetricCatalog): Set<string> {
  const labels = new Set<string>(TARGET_LABELS);
  for (const { name } of promqlReferences(expr).series)
    for (const label of catalog.get(name) ?? []) labels.add(label);
  return labels;
}
