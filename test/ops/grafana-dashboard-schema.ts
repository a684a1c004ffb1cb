// The structure Grafana needs to load a provisioned dashboard (schemaVersion 39 JSON model), as a zod
// schema, plus the rules a schema cannot say: unique ids and refIds, panels inside the 24-column grid
// and not on top of each other.
import { z } from 'zod';

const datasource = z.strictObject({ type: z.literal('prometheus'), uid: z.string().min(1) });

const gridPos = z.strictObject({
  x: z.number().int().min(0).max(23),
  y: z.number().int().min(0),
  w: z.number().int().min(1).max(24),
  h: z.number().int().min(1),
});

const target = z.strictObject({
  refId: z.string().regex(/^[A-Z]$/),
  datasource,
  expr: z.string().min(1),
  legendFormat: z.string(),
});

export const PANEL_TYPES = ['timeseries', 'stat', 'gauge', 'state-timeline', 'bargauge', 'table'] as const;

const panel = z.strictObject({
  id: z.number().int().positive(),
  type: z.enum(PANEL_TYPES),
  title: z.string().min(1),
  description: z.string().optional(),
  datasource,
  gridPos,
  targets: z.array(target).min(1),
  fieldConfig: z.strictObject({
    defaults: z.record(z.string(), z.unknown()),
    overrides: z.array(z.unknown()),
  }),
  options: z.record(z.string(), z.unknown()),
});

const row = z.strictObject({
  id: z.number().int().positive(),
  type: z.literal('row'),
  title: z.string().min(1),
  collapsed: z.literal(false),
  gridPos,
  panels: z.array(z.never()),
});

const variable = z.strictObject({
  name: z.string().regex(/^[a-z_]+$/),
  label: z.string(),
  type: z.literal('query'),
  datasource,
  query: z.strictObject({ query: z.string().min(1), refId: z.string() }),
  definition: z.string(),
  includeAll: z.boolean(),
  multi: z.boolean(),
  allValue: z.string(),
  current: z.record(z.string(), z.unknown()),
  refresh: z.union([z.literal(1), z.literal(2)]),
  sort: z.number().int(),
});

export const dashboardSchema = z.strictObject({
  uid: z.string().regex(/^[a-zA-Z0-9_-]{1,40}$/),
  title: z.string().min(1),
  description: z.string(),
  tags: z.array(z.string()),
  timezone: z.string(),
  editable: z.boolean(),
  graphTooltip: z.number().int().min(0).max(2),
  schemaVersion: z.number().int().min(36),
  version: z.number().int().positive(),
  refresh: z.string().regex(/^\d+[smh]$/),
  time: z.strictObject({ from: z.string(), to: z.string() }),
  templating: z.strictObject({ list: z.array(variable) }),
  annotations: z.strictObject({ list: z.array(z.unknown()) }),
  panels: z.array(z.union([row, panel])).min(1),
});

export type Dashboard = z.infer<typeof dashboardSchema>;
export type DashboardPanel = z.infer<typeof panel>;

/** Problems a schema cannot express. */
export function layoutProblems(dashboard: Dashboard): string[] {
  const problems: string[] = [];
  const ids = new Set<number>();
  const taken = new Set<string>();
  for (const item of dashboard.panels) {
    if (ids.has(item.id)) problems.push(`panel id ${item.id} is used twice`);
    ids.add(item.id);
    const { x, w } = item.gridPos;
    if (x + w > 24) problems.push(`panel ${item.id} "${item.title}" ends past column 24 (x ${x} + w ${w})`);
    const cells = gridCells(item.gridPos);
    if (cells.some((cell) => taken.has(cell)))
      problems.push(`panel ${item.id} "${item.title}" overlaps another`);
    for (const cell of cells) taken.add(cell);
    if (item.type !== 'row') {
      const refIds = item.targets.map((query) => query.refId);
      if (new Set(refIds).size !== refIds.length) problems.push(`panel ${item.id} repeats a refId`);
    }
  }
  return problems;
}

function gridCells({ x, y, w, h }: { x: number; y: number; w: number; h: number }): string[] {
  const cells: string[] = [];
  for (let column = x; column < x + w; column++)
    for (let line = y; line < y + h; line++) cells.push(`${column},${line}`);
  return cells;
}
