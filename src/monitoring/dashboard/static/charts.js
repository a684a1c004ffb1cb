// The dashboard charts, drawn by uPlot (served from node_modules through /static): exchange latency
// lines, orders-over-time bars, breaker states as stepped lines, and the equity (realized plus
// unrealized P&L at the mark) per strategy. Time axes and hover values come from uPlot; each chart is rebuilt when its data changes.
(() => {
  const { el, replace } = window.KeelDom;
  const COLORS = ['#4c8dde', '#2fb36d', '#e0a526', '#c06cf0', '#e5484d', '#3cc8c8'];
  const STATE_LEVELS = { closed: 0, halfOpen: 1, open: 2, isolated: 3 };
  const STATE_NAMES = ['closed', 'halfOpen', 'open', 'isolated'];
  const HEIGHT = 170;
  const AXIS = { stroke: '#8596a7', grid: { stroke: '#2a3542', width: 1 }, ticks: { stroke: '#2a3542' } };
  const instances = new Map();

  function emptyChart(id) {
    instances.get(id)?.destroy();
    instances.delete(id);
    replace(id, el('p', { class: 'empty', text: 'No data yet.' }));
  }

  /** Draws one chart into the element `id`: `data` is [seconds, ...series], `series` their options. */
  function draw(id, series, data, extra) {
    const target = document.getElementById(id);
    if (!target) return;
    instances.get(id)?.destroy();
    target.replaceChildren();
    target.dataset.points = String(data[0].length);
    const options = Object.assign(
      {
        width: Math.max(240, target.clientWidth || 480),
        height: HEIGHT,
        series: [{}, ...series],
        axes: [AXIS, Object.assign({}, AXIS, { size: 70 })],
        legend: { live: true },
        cursor: { drag: { x: false, y: false } },
      },
      extra,
    );
    instances.set(id, new window.uPlot(options, data, target));
  }

  /** One x axis (seconds) for several series measured at different times; a missing value is null. */
  function align(groups) {
    const times = [...new Set(groups.flatMap((points) => points.map((p) => p.atMs)))].sort((a, b) => a - b);
    const index = new Map(times.map((t, i) => [t, i]));
    const columns = groups.map((points) => {
      const column = new Array(times.length).fill(null);
      for (const p of points) column[index.get(p.atMs)] = p.value;
      return column;
    });
    return [times.map((t) => t / 1000), ...columns];
  }

  const line = (label, i, extra) =>
    Object.assign({ label, stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: true }, extra);

  function renderLatencyChart(points) {
    if (points.length === 0) return emptyChart('chart-latency');
    const endpoints = [...new Set(points.map((p) => p.endpoint))];
    const groups = endpoints.map((e) =>
      points.filter((p) => p.endpoint === e).map((p) => ({ atMs: p.atMs, value: p.latencyMs })),
    );
    draw(
      'chart-latency',
      endpoints.map((e, i) => line(e, i, { value: (_u, v) => (v === null ? '—' : Math.round(v) + ' ms') })),
      align(groups),
    );
  }

  function renderOrdersChart(points) {
    if (points.length === 0) return emptyChart('chart-orders');
    const bars = window.uPlot.paths.bars({ size: [0.7, 40] });
    draw(
      'chart-orders',
      [
        {
          label: 'orders',
          stroke: '#4c8dde',
          fill: 'rgba(76,141,222,0.6)',
          paths: bars,
          points: { show: false },
        },
      ],
      [points.map((p) => p.atMs / 1000), points.map((p) => p.count)],
    );
  }

  /** `nowMs` is the server's clock: the last breaker state lasts until then. */
  function renderBreakerChart(points, nowMs) {
    if (points.length === 0) return emptyChart('chart-breakers');
    const names = [...new Set(points.map((p) => p.name))];
    const groups = names.map((name) => {
      const own = points.filter((p) => p.name === name).sort((a, b) => a.atMs - b.atMs);
      const last = own[own.length - 1];
      const values = own.map((p) => ({ atMs: p.atMs, value: STATE_LEVELS[p.state] ?? null }));
      if (last && nowMs > last.atMs) values.push({ atMs: nowMs, value: STATE_LEVELS[last.state] ?? null });
      return values;
    });
    const stepped = window.uPlot.paths.stepped({ align: 1 });
    draw(
      'chart-breakers',
      names.map((name, i) =>
        line(name, i, { paths: stepped, value: (_u, v) => (v === null ? '—' : STATE_NAMES[v]) }),
      ),
      align(groups),
      {
        scales: { y: { range: [-0.2, 3.2] } },
        axes: [
          AXIS,
          Object.assign({}, AXIS, {
            size: 70,
            splits: () => [0, 1, 2, 3],
            values: (_u, v) => v.map((x) => STATE_NAMES[x] || ''),
          }),
        ],
      },
    );
  }

  /** P&L (realized + unrealized at the mark) per strategy and quote currency over time, as steps. */
  function renderEquityChart(equity) {
    if (equity.length === 0) return emptyChart('chart-equity');
    const keys = [...new Set(equity.map((p) => p.strategy + ' ' + p.quote.toUpperCase()))];
    const groups = keys.map((key) =>
      equity
        .filter((p) => p.strategy + ' ' + p.quote.toUpperCase() === key)
        .map((p) => ({ atMs: p.atMs, value: Number(p.totalPnl ?? p.realizedPnl) })),
    );
    const stepped = window.uPlot.paths.stepped({ align: 1 });
    draw(
      'chart-equity',
      keys.map((key, i) => line(key, i, { paths: stepped })),
      align(groups),
    );
  }

  function renderCharts(t, nowMs) {
    renderLatencyChart(t.latency);
    renderOrdersChart(t.orders);
    renderBreakerChart(t.breakerStates, nowMs);
  }

  window.KeelCharts = { renderCharts, renderEquityChart };
})();
