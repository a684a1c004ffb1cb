// The three dashboard charts, drawn as inline SVG (no chart library is installed): exchange latency
// lines, orders-over-time bars, and a breaker-state timeline.
(() => {
  const { el, show, time, replace } = window.KeelDom;
  const COLORS = ['#4c8dde', '#2fb36d', '#e0a526', '#c06cf0', '#e5484d', '#3cc8c8'];
  const STATE_COLORS = { closed: '#2fb36d', halfOpen: '#e0a526', open: '#e5484d', isolated: '#b03a3e' };
  const SVG_NS = 'http://www.w3.org/2000/svg';

  function svg(tag, attributes, ...children) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
    for (const child of children) node.append(child);
    return node;
  }

  const W = 480;
  const H = 160;
  const PAD = { left: 40, right: 8, top: 8, bottom: 18 };

  function axes(minMs, maxMs, maxY, unit) {
    const nodes = [
      svg('line', {
        x1: PAD.left,
        y1: H - PAD.bottom,
        x2: W - PAD.right,
        y2: H - PAD.bottom,
        stroke: '#2a3542',
      }),
      svg('text', { x: PAD.left - 4, y: PAD.top + 8, 'text-anchor': 'end' }, show(Math.round(maxY)) + unit),
      svg('text', { x: PAD.left - 4, y: H - PAD.bottom, 'text-anchor': 'end' }, '0'),
      svg('text', { x: PAD.left, y: H - 4 }, time(minMs)),
      svg('text', { x: W - PAD.right, y: H - 4, 'text-anchor': 'end' }, time(maxMs)),
    ];
    return nodes;
  }

  function scaleX(minMs, maxMs) {
    const span = Math.max(1, maxMs - minMs);
    return (ms) => PAD.left + ((ms - minMs) / span) * (W - PAD.left - PAD.right);
  }

  function scaleY(maxY) {
    return (y) => H - PAD.bottom - (y / Math.max(1e-9, maxY)) * (H - PAD.top - PAD.bottom);
  }

  function emptyChart(id) {
    replace(id, el('p', { class: 'empty', text: 'No data yet.' }));
  }

  function renderLatencyChart(points) {
    if (points.length === 0) return emptyChart('chart-latency');
    const times = points.map((p) => p.atMs);
    const minMs = Math.min(...times);
    const maxMs = Math.max(...times);
    const maxY = Math.max(...points.map((p) => p.latencyMs)) * 1.1;
    const x = scaleX(minMs, maxMs);
    const y = scaleY(maxY);
    const endpoints = [...new Set(points.map((p) => p.endpoint))];
    const lines = endpoints.map((endpoint, i) => {
      const path = points
        .filter((p) => p.endpoint === endpoint)
        .map((p) => x(p.atMs).toFixed(1) + ',' + y(p.latencyMs).toFixed(1))
        .join(' ');
      return svg('polyline', {
        points: path,
        fill: 'none',
        stroke: COLORS[i % COLORS.length],
        'stroke-width': 1.5,
      });
    });
    const legend = el(
      'div',
      { class: 'legend' },
      ...endpoints.map((e, i) => swatchLabel(e, COLORS[i % COLORS.length])),
    );
    replace(
      'chart-latency',
      svg(
        'svg',
        { viewBox: '0 0 ' + W + ' ' + H, role: 'img' },
        ...axes(minMs, maxMs, maxY, ' ms'),
        ...lines,
      ),
      legend,
    );
  }

  function renderOrdersChart(points) {
    if (points.length === 0) return emptyChart('chart-orders');
    const times = points.map((p) => p.atMs);
    const minMs = Math.min(...times);
    const maxMs = Math.max(...times);
    const maxY = Math.max(1, ...points.map((p) => p.count));
    const x = scaleX(minMs, maxMs);
    const y = scaleY(maxY);
    const barWidth = Math.max(2, ((W - PAD.left - PAD.right) / points.length) * 0.7);
    const bars = points.map((p) =>
      svg('rect', {
        x: Math.min(W - PAD.right - barWidth, x(p.atMs)).toFixed(1),
        y: y(p.count).toFixed(1),
        width: barWidth.toFixed(1),
        height: (H - PAD.bottom - y(p.count)).toFixed(1),
        fill: '#4c8dde',
      }),
    );
    replace(
      'chart-orders',
      svg('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img' }, ...axes(minMs, maxMs, maxY, ''), ...bars),
    );
  }

  function renderBreakerChart(points, nowMs) {
    if (points.length === 0) return emptyChart('chart-breakers');
    const names = [...new Set(points.map((p) => p.name))];
    const minMs = Math.min(...points.map((p) => p.atMs));
    const maxMs = Math.max(nowMs, ...points.map((p) => p.atMs));
    const rowHeight = 22;
    const height = names.length * rowHeight + 22;
    const width = W * 2;
    const left = 130;
    const x = (ms) => left + ((ms - minMs) / Math.max(1, maxMs - minMs)) * (width - left - 8);
    const nodes = [];
    names.forEach((name, row) => {
      const own = points.filter((p) => p.name === name).sort((a, b) => a.atMs - b.atMs);
      const top = row * rowHeight + 4;
      nodes.push(svg('text', { x: 4, y: top + 13 }, name));
      own.forEach((p, i) => {
        const end = i + 1 < own.length ? own[i + 1].atMs : maxMs;
        const attributes = {
          x: x(p.atMs),
          y: top,
          height: rowHeight - 6,
          fill: STATE_COLORS[p.state] || '#8596a7',
        };
        nodes.push(
          svg('rect', Object.assign(attributes, { width: Math.max(1, x(end) - x(p.atMs)).toFixed(1) })),
        );
      });
    });
    nodes.push(svg('text', { x: left, y: height - 4 }, time(minMs)));
    nodes.push(svg('text', { x: width - 8, y: height - 4, 'text-anchor': 'end' }, time(maxMs)));
    const legend = el(
      'div',
      { class: 'legend' },
      ...Object.entries(STATE_COLORS).map(([s, c]) => swatchLabel(s, c)),
    );
    replace(
      'chart-breakers',
      svg('svg', { viewBox: '0 0 ' + width + ' ' + height, role: 'img' }, ...nodes),
      legend,
    );
  }

  function swatchLabel(label, color) {
    const swatch = el('span', { class: 'swatch' });
    swatch.style.background = color;
    return el('span', {}, swatch, label);
  }

  /** `nowMs` is the server's clock: the last breaker state lasts until then. */
  function renderCharts(t, nowMs) {
    renderLatencyChart(t.latency);
    renderOrdersChart(t.orders);
    renderBreakerChart(t.breakerStates, nowMs);
  }

  window.KeelCharts = { renderCharts };
})();
