// Goal (issue 17): the ready-made operations files (ops/) load in their tools and watch metrics Keel
// really has, so renaming a metric or a label breaks this test. Method: parse every file, check every
// keel_* series and label in the alert rules and dashboard against the registry KeelApp builds, check
// the dashboard's structure and the compose file's wiring; run `promtool` and `docker compose config`
// when installed (skipped with a message otherwise: CI does not require them).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ENV_TABLE } from '../../src/config/env-table.js';
import {
  type Dashboard,
  type DashboardPanel,
  dashboardSchema,
  layoutProblems,
} from './grafana-dashboard-schema.js';
import { checkExpr, keelMetricCatalog, labelsOf, type MetricCatalog } from './promql-references.js';

const OPS = resolve(import.meta.dirname, '../../ops');
const read = (path: string) => readFileSync(join(OPS, path), 'utf8');
const readYaml = <T>(path: string) => parse(read(path), { prettyErrors: true, strict: true }) as T;

interface Rule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels: { readonly severity: string };
  readonly annotations: { readonly summary: string; readonly description: string };
}
interface Compose {
  readonly services: Record<
    string,
    {
      readonly environment?: Record<string, string>;
      readonly volumes?: string[];
      readonly ports?: string[];
      readonly secrets?: string[];
    }
  >;
  readonly secrets: Record<string, { readonly environment: string }>;
}

const rules = () =>
  readYaml<{ groups: { name: string; rules: Rule[] }[] }>('prometheus/keel-alerts.yml').groups.flatMap(
    (group) => group.rules,
  );
const dashboard = () => dashboardSchema.parse(JSON.parse(read('grafana/dashboards/keel.json'))) as Dashboard;
const dashboardPanels = () =>
  dashboard().panels.filter((panel): panel is DashboardPanel => panel.type !== 'row');

let catalog: MetricCatalog;
beforeAll(async () => {
  catalog = await keelMetricCatalog();
});

describe('ops/prometheus/keel-alerts.yml', () => {
  it('refers only to metrics and labels in Keel’s registry', () => {
    const problems = rules().flatMap((rule) => checkExpr(rule.expr, catalog, `alert ${rule.alert}`));
    expect(problems).toEqual([]);
  });

  it('fails the check when a metric is renamed (the check itself works)', () => {
    expect(checkExpr('keel_engine_mode_renamed == 2', catalog, 'probe')).toEqual([
      "probe: keel_engine_mode_renamed is not in Keel's metrics registry",
    ]);
    expect(checkExpr('keel_orders{status="UNKNOWN"} > 0', catalog, 'probe')).toEqual([
      'probe: keel_orders has no label status',
    ]);
    expect(checkExpr('sum by (group) (keel_breaker_state)', catalog, 'probe')).toEqual([
      'probe: grouping by group, which none of its series carries',
    ]);
  });

  it('alerts on what a person must act on', () => {
    const exprs = new Map(rules().map((rule) => [rule.alert, rule.expr]));
    expect(exprs.get('KeelEngineHalted')).toContain('keel_engine_mode == 2');
    expect(exprs.get('KeelBreakerOpen')).toContain('keel_breaker_state');
    expect(exprs.get('KeelOrdersUnresolved')).toMatch(/keel_orders\{state=~"UNKNOWN\|SUBMITTING"\}/);
    expect(exprs.get('KeelReconciliationBreach')).toContain('keel_reconciliations_total{outcome="breach"}');
    expect(exprs.get('KeelIntakeUnavailable')).toContain(
      'keel_signals_total{outcome="rejected_unavailable"}',
    );
    expect(exprs.get('KeelIntakeRefusals')).toContain('keel_signals_total');
  });

  it('gives every rule a severity, a summary and labels its annotations can use', () => {
    for (const rule of rules()) {
      expect(['critical', 'warning'], rule.alert).toContain(rule.labels.severity);
      expect(rule.annotations.summary.length, rule.alert).toBeGreaterThan(0);
      expect(rule.for ?? '0m', rule.alert).toMatch(/^\d+[smh]$/);
      const offered = labelsOf(rule.expr, catalog);
      for (const [, label] of `${rule.annotations.summary} ${rule.annotations.description}`.matchAll(
        /\$labels\.([a-z_]+)/g,
      ))
        expect(offered.has(label ?? ''), `${rule.alert} uses $labels.${label}`).toBe(true);
    }
  });

  it.skipIf(!installed('promtool', ['--version']))('passes `promtool check rules` and its unit tests', () => {
    execFileSync('promtool', ['check', 'rules', 'keel-alerts.yml'], { cwd: join(OPS, 'prometheus') });
    execFileSync('promtool', ['test', 'rules', 'keel-alerts.test.yml'], { cwd: join(OPS, 'prometheus') });
  });

  it.skipIf(!installed('promtool', ['--version']))(
    'passes `promtool check config` for prometheus.yml',
    () => {
      // The container's paths, moved into a temp dir: promtool reads the rule and token files it names.
      const dir = mkdtempSync(join(tmpdir(), 'keel-prometheus-'));
      try {
        const config = read('prometheus/prometheus.yml')
          .replace('/etc/prometheus/keel-alerts.yml', join(dir, 'keel-alerts.yml'))
          .replace('/run/secrets/keel_dashboard_token', join(dir, 'token'));
        writeFileSync(join(dir, 'prometheus.yml'), config);
        writeFileSync(join(dir, 'keel-alerts.yml'), read('prometheus/keel-alerts.yml'));
        writeFileSync(join(dir, 'token'), 'token');
        execFileSync('promtool', ['check', 'config', join(dir, 'prometheus.yml')]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

describe('ops/grafana/dashboards/keel.json', () => {
  it('has the structure Grafana loads: schema, unique ids, panels inside the grid', () => {
    const parsed = dashboardSchema.safeParse(JSON.parse(read('grafana/dashboards/keel.json')));
    expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
    expect(layoutProblems(dashboard())).toEqual([]);
  });

  it('finds an overlap and a panel past the grid (the layout check itself works)', () => {
    const [first, second] = dashboardPanels();
    if (first === undefined || second === undefined) throw new Error('expected two panels');
    const broken = {
      ...dashboard(),
      panels: [first, { ...second, gridPos: { ...first.gridPos, x: first.gridPos.x + 1, w: 24 } }],
    };
    expect(layoutProblems(broken)).toEqual([
      `panel ${second.id} "${second.title}" ends past column 24 (x ${first.gridPos.x + 1} + w 24)`,
      `panel ${second.id} "${second.title}" overlaps another`,
    ]);
  });

  it('graphs only metrics and labels in Keel’s registry, on the provisioned datasource', () => {
    const sources = readYaml<{ datasources: { uid: string }[] }>(
      'grafana/provisioning/datasources/prometheus.yml',
    ).datasources;
    const uids = new Set(sources.map((source) => source.uid));
    const problems: string[] = [];
    for (const panel of dashboardPanels()) {
      if (!uids.has(panel.datasource.uid)) problems.push(`panel ${panel.title}: unknown datasource`);
      for (const query of panel.targets) {
        const where = `panel "${panel.title}" ${query.refId}`;
        if (!query.expr.includes('keel_')) problems.push(`${where}: graphs no Keel metric`);
        problems.push(...checkExpr(query.expr, catalog, where));
        const offered = labelsOf(query.expr, catalog);
        for (const [, label] of query.legendFormat.matchAll(/\{\{\s*([a-z_]+)\s*\}\}/g))
          if (!offered.has(label ?? '')) problems.push(`${where}: legend uses ${label}, which it has not`);
      }
    }
    for (const variable of dashboard().templating.list)
      problems.push(...checkExpr(variable.query.query, catalog, `variable ${variable.name}`));
    expect(problems).toEqual([]);
  });

  it('shows the figures an operator looks at first', () => {
    const exprs = dashboardPanels().flatMap((panel) => panel.targets.map((query) => query.expr));
    for (const name of [
      'keel_engine_mode',
      'keel_orders',
      'keel_breaker_state',
      'keel_signals_total',
      'keel_exchange_request_duration_seconds_bucket',
      'keel_queue_depth',
      'keel_reconciliation_difference',
    ])
      expect(
        exprs.some((expr) => expr.includes(name)),
        name,
      ).toBe(true);
  });
});

describe('ops/docker-compose.yml and ops/prometheus/prometheus.yml', () => {
  const compose = () => readYaml<Compose>('docker-compose.yml');

  it('runs Keel with PostgreSQL, Redis, Prometheus and Grafana, published on loopback only', () => {
    const { services } = compose();
    expect(Object.keys(services).sort()).toEqual(['grafana', 'keel', 'postgres', 'prometheus', 'redis']);
    for (const [name, service] of Object.entries(services))
      for (const port of service.ports ?? []) expect(port, name).toMatch(/^127\.0\.0\.1:/);
  });

  it('sets Keel only through variables Keel reads', () => {
    const known = new Set(ENV_TABLE.map((entry) => entry.variable));
    for (const entry of ENV_TABLE.filter((candidate) => candidate.kind === 'secret'))
      known.add(`${entry.variable}_FILE`);
    const environment = compose().services['keel']?.environment ?? {};
    expect(Object.keys(environment).filter((variable) => !known.has(variable))).toEqual([]);
    expect(environment['KEEL_DATABASE_URL']).toMatch(/^postgres:\/\/.*@postgres:5432\//);
    expect(environment['KEEL_REDIS_URL']).toBe('redis://redis:6379');
  });

  it('mounts files that exist, and scrapes Keel where it listens with the token it checks', () => {
    const { services, secrets } = compose();
    for (const [name, service] of Object.entries(services))
      for (const volume of service.volumes ?? [])
        if (volume.startsWith('./'))
          expect(existsSync(join(OPS, volume.split(':')[0] ?? '')), name).toBe(true);
    const prometheus = readYaml<{
      rule_files: string[];
      scrape_configs: {
        job_name: string;
        authorization: { credentials_file: string };
        static_configs: { targets: string[] }[];
      }[];
    }>('prometheus/prometheus.yml');
    const mounted = (services['prometheus']?.volumes ?? []).map((volume) => volume.split(':')[1]);
    for (const file of prometheus.rule_files) expect(mounted).toContain(file);
    const [keelJob] = prometheus.scrape_configs;
    expect(keelJob?.job_name).toBe('keel');
    expect(keelJob?.static_configs[0]?.targets).toEqual([
      `keel:${services['keel']?.environment?.['KEEL_PORT']}`,
    ]);
    const tokenSecret = keelJob?.authorization.credentials_file.replace('/run/secrets/', '') ?? '';
    expect(services['prometheus']?.secrets).toContain(tokenSecret);
    expect(services['keel']?.environment?.['KEEL_DASHBOARD_TOKEN_FILE']).toBe(`/run/secrets/${tokenSecret}`);
    expect(secrets[tokenSecret]?.environment).toBe('KEEL_DASHBOARD_TOKEN');
    const provider = readYaml<{ providers: { options: { path: string } }[] }>(
      'grafana/provisioning/dashboards/keel.yml',
    );
    const grafanaMounts = (services['grafana']?.volumes ?? []).map((volume) => volume.split(':')[1]);
    expect(grafanaMounts).toContain(provider.providers[0]?.options.path);
  });

  it.skipIf(!installed('docker', ['compose', 'version']))('passes `docker compose config`', () => {
    execFileSync('docker', ['compose', '-f', join(OPS, 'docker-compose.yml'), 'config', '-q'], {
      env: {
        ...process.env,
        KEEL_WEBHOOK_PASSPHRASE: 'x',
        KEEL_DASHBOARD_TOKEN: 'x',
        KEEL_POSTGRES_PASSWORD: 'x',
        GRAFANA_ADMIN_PASSWORD: 'x',
      },
    });
  });
});

/** True when the tool runs; otherwise says why its check is skipped. */
function installed(command: string, args: string[]): boolean {
  const result = spawnSync(command, args, { stdio: 'ignore' });
  if (result.status === 0) return true;
  console.warn(`ops files: \`${command} ${args.join(' ')}\` is not available: its check is skipped`);
  return false;
}
