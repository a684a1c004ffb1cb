// Positions and P&L per strategy, and one order's detail with its audit trail. Figures are the API's
// decimal strings, shown as text; only the equity chart turns them into numbers, to draw.
(() => {
  const { el, table, td, time, replace, show } = window.KeelDom;

  function renderPositions(view) {
    const headers = [
      'Strategy',
      'Market',
      'Position',
      'Avg cost',
      'Mark',
      'Realized',
      'Unrealized',
      'Fills',
    ].map((label, i) => ({ label, num: i > 1 }));
    const rows = view.positions.map((p) =>
      el(
        'tr',
        { 'data-position': p.strategy + ' ' + p.symbol },
        td(p.strategy),
        td(p.symbol),
        td(p.position, 1),
        td(p.averageCost, 1),
        td(p.markPrice, 1),
        el('td', { class: 'num ' + sign(p.realizedPnl), text: p.realizedPnl }),
        el('td', { class: 'num ' + sign(p.unrealizedPnl), text: show(p.unrealizedPnl) }),
        td(p.fillCount, 1),
      ),
    );
    replace('positions', table(headers, rows));
  }

  function renderPnl(view) {
    const headers = ['Strategy', 'Quote', 'Realized', 'Unrealized', 'Total'].map((label, i) => ({
      label,
      num: i > 1,
    }));
    const rows = view.strategies.map((s) =>
      el(
        'tr',
        { 'data-pnl': s.strategy + ' ' + s.quote },
        td(s.strategy),
        td(s.quote.toUpperCase()),
        el('td', { class: 'num ' + sign(s.realizedPnl), text: s.realizedPnl }),
        el('td', { class: 'num ' + sign(s.unrealizedPnl), text: show(s.unrealizedPnl) }),
        el('td', { class: 'num ' + sign(s.totalPnl), text: show(s.totalPnl) }),
      ),
    );
    replace('pnl', table(headers, rows));
    window.KeelCharts.renderEquityChart(view.equity);
  }

  function renderOrderDetail(detail) {
    const o = detail.order;
    const facts = el(
      'dl',
      { class: 'kv' },
      el('dt', { text: 'Order' }),
      el('dd', {
        text: o.id + ' · ' + o.market + ' ' + o.side + ' ' + o.execution + ' · ' + detail.strategy,
      }),
      el('dt', { text: 'State' }),
      el('dd', {
        text: o.state + ' · filled ' + o.filledAmount + ' of ' + o.amount + ' at ' + show(o.averagePrice),
      }),
      el('dt', { text: 'Ids' }),
      el('dd', {
        text:
          'client ' + o.clientOrderId + ' · exchange ' + show(o.exchangeOrderId) + ' · signal ' + o.signalId,
      }),
    );
    const audit = table(
      ['Time', 'From', 'To', 'Cause'].map((label) => ({ label })),
      detail.audit.map((a) =>
        el('tr', { 'data-audit': a.seq }, td(time(a.atMs)), td(a.fromState), td(a.toState), td(a.cause)),
      ),
    );
    const fills = table(
      ['Time', 'Trade', 'Amount', 'Price', 'Fee'].map((label, i) => ({ label, num: i > 1 })),
      detail.fills.map((f) =>
        el(
          'tr',
          {},
          td(time(f.atMs)),
          td(f.tradeId),
          td(f.amount, 1),
          td(f.price, 1),
          td(f.fee + ' ' + f.feeCurrency, 1),
        ),
      ),
    );
    replace(
      'order-detail',
      facts,
      el('h3', { text: 'Audit trail' }),
      audit,
      el('h3', { text: 'Fills' }),
      fills,
    );
    document.getElementById('order-detail-card').hidden = false;
  }

  function sign(value) {
    if (value === null || value === undefined) return '';
    return value.startsWith('-') ? 'pnl-loss' : /^0*(\.0*)?$/.test(value) ? '' : 'pnl-gain';
  }

  window.KeelTrading = { renderPositions, renderPnl, renderOrderDetail };
})();
