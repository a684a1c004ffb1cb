// Renders each dashboard section from API data. Pure view code: state and actions live in app.js.
(() => {
  const { el, pill, table, td, show, time, percent, replace } = window.KeelDom;

  function renderStatus(s) {
    const leader = s.instance.leader === undefined ? '' : s.instance.leader ? ' · leader' : ' · standby';
    replace('instance', s.instance.id + ' · v' + s.instance.version + ' · ' + s.instance.mode + leader);
    replace('bus', 'bus depth ' + s.bus.depth + ' · lag ' + s.bus.lagMs + ' ms');
    renderEngine(s.engineMode);
    const health = document.getElementById('health-status');
    health.className = 'pill pill-' + s.health.status;
    health.textContent = s.health.status;
    replace('components', ...s.health.checks.map(renderCheck));
    replace(
      'breakers',
      ...(s.breakers.length ? s.breakers.map(renderBreaker) : [el('p', { class: 'empty', text: 'None.' })]),
    );
    replace('pool', renderPool(s.pool));
    replace('rate-limits', renderRateLimits(s.rateLimits));
    replace('bulkheads', renderBulkheads(s.bulkheads || []));
    replace('verification', renderVerification(s.verification));
  }

  function renderEngine(engine) {
    const mode = document.getElementById('engine-mode');
    mode.className = 'mode ' + engine.mode;
    mode.textContent = engine.mode;
    const change = engine.changedBy
      ? 'by ' + engine.changedBy + ' at ' + time(engine.changedAtMs) + ': ' + engine.reason
      : '';
    replace('engine-change', change);
    for (const button of document.querySelectorAll('.mode-button'))
      button.disabled = button.dataset.mode === engine.mode;
  }

  function renderCheck(check) {
    return el(
      'div',
      { class: 'component ' + check.status, 'data-check': check.name },
      el('div', { class: 'name', text: check.name }),
      el('div', {
        class: 'reason',
        text: check.component + ' · ' + check.status + (check.reason ? ' — ' + check.reason : ''),
      }),
    );
  }

  function renderBreaker(breaker) {
    const transitions = breaker.recentTransitions
      .slice(-4)
      .map((t) => time(t.atMs) + ' ' + t.from + '→' + t.to)
      .join(', ');
    return el(
      'div',
      { class: 'breaker', 'data-breaker': breaker.name, 'data-state': breaker.state },
      el(
        'div',
        { class: 'breaker-head' },
        el('strong', { text: breaker.name }),
        el('span', {
          class: 'muted',
          text: 'failures ' + percent(breaker.failureRate) + ' · rejected ' + breaker.rejections,
        }),
        pill(breaker.state, 'breaker-state'),
      ),
      el('div', { class: 'transitions', text: transitions || 'no recent transitions' }),
    );
  }

  function renderPool(pool) {
    const hosts = table(
      [
        { label: 'Host' },
        { label: 'Conn', num: 1 },
        { label: 'Free', num: 1 },
        { label: 'Running', num: 1 },
        { label: 'Queued', num: 1 },
      ],
      pool.hosts.map((h) =>
        el('tr', {}, td(h.origin), td(h.connected, 1), td(h.free, 1), td(h.running, 1), td(h.queued, 1)),
      ),
    );
    const endpoints = table(
      [{ label: 'Endpoint' }, { label: 'Health' }, { label: 'Latency', num: 1 }, { label: 'Errors', num: 1 }],
      pool.endpoints.map((e) =>
        el(
          'tr',
          {},
          td(e.baseUrl),
          td(pill(!e.healthy ? 'down' : e.drained ? 'drained' : 'healthy')),
          td(Math.round(e.latencyEwmaMs) + ' ms', 1),
          td(percent(e.errorRate), 1),
        ),
      ),
    );
    const actions = (pool.predictiveActions || []).slice(-5).map((a) =>
      el('div', {
        class: 'predictive',
        text:
          time(a.atMs) +
          ' ' +
          a.action +
          ' ' +
          a.baseUrl +
          ' (' +
          a.reason +
          ' of ' +
          (a.scope || 'endpoint') +
          '): latency ' +
          a.latencyNowMs +
          ' ms, ' +
          a.slopeMsPerS +
          ' ms/s, ' +
          a.forecastMs +
          ' ms in ' +
          a.horizonMs / 1000 +
          ' s vs ' +
          a.thresholdMs +
          ' ms; errors ' +
          percent(a.errorShare),
      }),
    );
    return el(
      'div',
      {},
      hosts,
      el('div', { class: 'muted', text: 'Endpoints' }),
      endpoints,
      ...(actions.length === 0
        ? []
        : [el('div', { class: 'muted', text: 'Predictive recovery' }), ...actions]),
    );
  }

  function renderRateLimits(limits) {
    const rows = [];
    for (const budget of limits)
      for (const w of budget.windows) {
        const share = w.limit > 0 ? w.used / w.limit : 0;
        const fill = el('div');
        fill.style.width = Math.min(100, share * 100).toFixed(0) + '%';
        const bar = el('div', { class: 'bar' + (share >= 1 ? ' full' : share >= 0.8 ? ' high' : '') }, fill);
        const penalty = budget.penaltyUntilMs
          ? pill('backoff until ' + time(budget.penaltyUntilMs), 'pill-warning')
          : '';
        rows.push(
          el(
            'tr',
            {},
            td(budget.budget),
            td(w.windowMs / 1000 + ' s', 1),
            td(w.used + '/' + w.limit, 1),
            td(bar),
            td(penalty),
          ),
        );
      }
    return table(
      [
        { label: 'Budget' },
        { label: 'Window', num: 1 },
        { label: 'Used', num: 1 },
        { label: '' },
        { label: '' },
      ],
      rows,
    );
  }

  /** One row per bulkhead; a full queue or any refusal stands out. */
  function renderBulkheads(bulkheads) {
    const rows = bulkheads.map((b) => {
      const limit =
        b.concurrentLimit < b.concurrentMax ? b.concurrentLimit + ' of ' + b.concurrentMax : b.concurrentMax;
      const full = b.queueMax > 0 && b.queued >= b.queueMax;
      return el(
        'tr',
        { 'data-bulkhead': b.name, class: full ? 'full' : null },
        td(b.name),
        td(b.running + '/' + limit, 1),
        td(b.queued + '/' + b.queueMax, 1),
        td(b.rejected > 0 ? pill(String(b.rejected), 'pill-warning') : '0', 1),
      );
    });
    return table(
      [
        { label: 'Bulkhead' },
        { label: 'Running', num: 1 },
        { label: 'Queued', num: 1 },
        { label: 'Refused', num: 1 },
      ],
      rows,
    );
  }

  function renderVerification(v) {
    const states = Object.entries(v.byState)
      .map(([state, count]) => state + ' ' + count)
      .join(' · ');
    return el(
      'dl',
      { class: 'kv' },
      el('dt', { text: 'Success rate' }),
      el('dd', { class: 'big', text: percent(v.successRate) }),
      el('dt', { text: 'By state' }),
      el('dd', { text: states || '—' }),
      el('dt', { text: 'Duration p50 / p99' }),
      el('dd', { text: show(v.durations.p50Ms) + ' ms / ' + show(v.durations.p99Ms) + ' ms' }),
    );
  }

  function renderLedger(l) {
    const status = document.getElementById('ledger-status');
    // The verdict of the last reconciliation that compared wallets, not only the ledger's own balance.
    const run = l.reconciliation;
    status.className = 'pill pill-' + (l.balanced ? 'balanced' : 'unbalanced');
    status.textContent = !l.doubleEntryBalanced
      ? 'ledger unbalanced'
      : run === null || run === undefined
        ? 'not reconciled yet'
        : l.balanced
          ? 'balanced'
          : run.status === 'breach'
            ? 'breach'
            : 'differences';
    status.title = run
      ? 'last reconciliation ' + run.runId + ': ' + run.status + ' at ' + time(run.finishedAtMs)
      : '';
    const rows = l.currencies.map((c) => {
      const nonZero = c.difference !== null && !/^-?0*(\.0*)?$/.test(c.difference);
      return el(
        'tr',
        {},
        td(c.currency.toUpperCase()),
        td(c.ledgerBalance, 1),
        td(c.exchangeBalance, 1),
        el('td', { class: 'num' + (nonZero ? ' diff-bad' : ''), text: show(c.difference) }),
        td(show(c.action)),
        td(time(c.lastReconciledAtMs), 1),
      );
    });
    const headers = ['Currency', 'Ledger', 'Exchange', 'Difference', 'Result', 'Reconciled'].map(
      (label, i) => ({
        label,
        num: i > 0 && i !== 4,
      }),
    );
    replace('ledger', table(headers, rows), ...anomalyLines(l.anomalies || []));
  }

  // Anomaly flags beside the ledger: one line each with the series, baseline, score and recent values.
  function anomalyLines(flags) {
    if (flags.length === 0) return [el('div', { class: 'muted', text: 'Anomalies: none flagged' })];
    const lines = flags.map((f) =>
      el('div', {
        class: 'anomaly',
        text:
          time(f.atMs) +
          ' ' +
          (f.flag === 'leak' ? 'slow drift' : 'sudden change') +
          ' in ' +
          f.kind +
          ' ' +
          f.currency.toUpperCase() +
          ': value ' +
          f.value.toPrecision(3) +
          ', baseline ' +
          f.baseline.toPrecision(3) +
          ', score ' +
          f.score.toFixed(1) +
          ', cusum ' +
          f.cusum.toFixed(1) +
          ' · series ' +
          f.series
            .slice(-8)
            .map((v) => v.toPrecision(2))
            .join(' '),
      }),
    );
    return [el('div', { class: 'muted', text: 'Anomalies (newest first)' }), ...lines];
  }

  function renderAlerts(alerts, onAction) {
    const items = alerts.map((a) => {
      const actions = el('div', { class: 'actions' });
      if (a.state === 'firing')
        actions.append(
          el('button', {
            type: 'button',
            class: 'ack',
            text: 'Acknowledge',
            onclick: () => onAction(a.id, 'ack'),
          }),
        );
      if (a.state !== 'resolved')
        actions.append(
          el('button', {
            type: 'button',
            class: 'resolve',
            text: 'Resolve',
            onclick: () => onAction(a.id, 'resolve'),
          }),
        );
      const who =
        a.state === 'acknowledged'
          ? ' · acknowledged by ' + a.acknowledgedBy + ' at ' + time(a.acknowledgedAtMs)
          : a.state === 'resolved'
            ? ' · resolved by ' + a.resolvedBy + ' at ' + time(a.resolvedAtMs)
            : '';
      return el(
        'div',
        {
          class: 'alert state-' + a.state + ' severity-' + a.severity,
          'data-alert': a.id,
          'data-state': a.state,
        },
        el('div', {}, pill(a.severity), ' ', pill(a.state, 'alert-state')),
        el(
          'div',
          {},
          el('div', { class: 'title', text: a.title }),
          el('div', {
            class: 'meta',
            text: a.source + ' · seen ' + a.repeatCount + '× · last ' + time(a.lastSeenAtMs) + who,
          }),
        ),
        actions,
      );
    });
    replace('alerts', ...(items.length ? items : [el('p', { class: 'empty', text: 'No alerts.' })]));
  }

  function renderOrders(orders, onSelect) {
    const headers = [
      'Time',
      'Market',
      'Side',
      'Amount',
      'Filled',
      'Avg price',
      'State',
      'Phase',
      'Client id',
    ].map((label) => ({
      label,
      num: ['Amount', 'Filled', 'Avg price'].includes(label),
    }));
    const rows = orders.map((o) =>
      el(
        'tr',
        { 'data-order': o.id, class: 'clickable', onclick: () => onSelect?.(o.id) },
        td(time(o.createdAtMs)),
        td(o.market),
        td(o.side + ' ' + o.execution),
        td(o.amount, 1),
        td(o.filledAmount, 1),
        td(o.averagePrice, 1),
        td(o.state),
        td(pill(o.phase)),
        td(o.clientOrderId),
      ),
    );
    replace('orders', table(headers, rows));
  }

  function renderSignals(signals) {
    const headers = ['Received', 'Market', 'Side', 'State', 'Reason', 'Id'].map((label) => ({ label }));
    const rows = signals.map((s) =>
      el(
        'tr',
        { 'data-signal': s.id },
        td(time(s.receivedAtMs)),
        td(s.market),
        td(s.side),
        td(s.state),
        td(s.reason),
        td(s.id),
      ),
    );
    replace('signals', table(headers, rows));
  }

  window.KeelViews = { renderStatus, renderEngine, renderLedger, renderAlerts, renderOrders, renderSignals };
})();
