// Keel dashboard: loads /api data, keeps it live over server-sent events, and sends the operator's
// actions (acknowledge, resolve, engine mode). Rendering is in views.js and charts.js.
(() => {
  const views = window.KeelViews;
  const charts = window.KeelCharts;

  const LIST_LIMIT = 25;

  const trading = window.KeelTrading;
  const model = { status: null, alerts: [], orders: [], signals: [], ledger: null, timeseries: null };

  function api(path, init) {
    // Same-origin requests carry the session cookie; a JSON body makes a POST one no other site can send.
    const headers = Object.assign({ accept: 'application/json' }, init?.headers);
    return fetch('/api' + path, Object.assign({}, init, { headers })).then(async (response) => {
      // The session ended: the page itself shows the login form.
      if (response.status === 401) location.reload();
      const body = await response.json().catch(() => ({}));
      if (!response.ok)
        throw new Error(body.reason || (body.problems || []).join('; ') || body.error || response.status);
      return body;
    });
  }

  function post(path, body) {
    return api(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  function upsert(list, item, limit) {
    const index = list.findIndex((existing) => existing.id === item.id);
    if (index >= 0) list[index] = item;
    else list.unshift(item);
    list.length = Math.min(list.length, limit);
  }

  function showAlerts() {
    views.renderAlerts(model.alerts, alertAction);
  }

  function showCharts() {
    if (model.timeseries)
      charts.renderCharts(model.timeseries, model.status ? model.status.atMs : Date.now());
  }

  async function alertAction(id, action) {
    try {
      upsert(model.alerts, await post('/alerts/' + encodeURIComponent(id) + '/' + action, {}), 100);
      showAlerts();
    } catch (error) {
      setMessage('Alert ' + action + ' failed: ' + error.message, true);
    }
  }

  async function changeMode(mode) {
    const reason = document.getElementById('engine-reason').value.trim();
    if (!reason) return setMessage('Give a reason before changing the engine mode.', true);
    try {
      model.status.engineMode = await post('/engine/mode', { mode, reason });
      views.renderEngine(model.status.engineMode);
      setMessage('Engine mode set to ' + mode + '.', false);
    } catch (error) {
      setMessage('Mode change refused: ' + error.message, true);
    }
  }

  function setMessage(text, isError) {
    const message = document.getElementById('engine-message');
    message.textContent = text;
    message.className = 'message' + (isError ? ' error' : '');
  }

  async function loadAll() {
    const [status, alerts, orders, signals, ledger, timeseries] = await Promise.all([
      api('/status'),
      api('/alerts?limit=50'),
      api('/orders?limit=' + LIST_LIMIT),
      api('/signals?limit=' + LIST_LIMIT),
      api('/ledger'),
      api('/timeseries'),
    ]);
    Object.assign(model, { status, alerts, orders, signals, ledger, timeseries });
    views.renderStatus(status);
    showAlerts();
    views.renderOrders(orders, showOrder);
    views.renderSignals(signals);
    views.renderLedger(ledger);
    showCharts();
    await loadTrading();
  }

  /** Positions and P&L per strategy, and the equity chart. */
  async function loadTrading() {
    const [positions, pnl] = await Promise.all([api('/positions'), api('/pnl')]);
    trading.renderPositions(positions);
    trading.renderPnl(pnl);
  }

  async function showOrder(id) {
    try {
      trading.renderOrderDetail(await api('/orders/' + encodeURIComponent(id)));
    } catch (error) {
      setMessage('Order ' + id + ' could not be read: ' + error.message, true);
    }
  }

  let refreshTimer = null;
  function refreshSoon() {
    if (refreshTimer !== null) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      loadAll().catch((error) => setConnection('error', error.message));
    }, 500);
  }

  function setConnection(state, title) {
    const badge = document.getElementById('connection');
    const labels = { live: 'live', error: 'offline', connecting: 'connecting…' };
    badge.className = 'pill pill-' + (state === 'live' ? 'live-ok' : state === 'error' ? 'down' : 'unknown');
    badge.textContent = labels[state];
    badge.title = title || '';
  }

  const HANDLERS = {
    status: (data) => {
      model.status = data;
      views.renderStatus(data);
      showCharts();
    },
    alert: (data) => {
      upsert(model.alerts, data, 100);
      showAlerts();
    },
    order: (data) => {
      upsert(model.orders, data, LIST_LIMIT);
      views.renderOrders(model.orders, showOrder);
      refreshSoon(); // a fill moves positions and P&L
    },
    signal: (data) => {
      upsert(model.signals, data, LIST_LIMIT);
      views.renderSignals(model.signals);
    },
    ledger: (data) => {
      model.ledger = data;
      views.renderLedger(data);
    },
    engineMode: (data) => {
      if (!model.status) return;
      model.status.engineMode = data;
      views.renderEngine(data);
    },
    timeseries: (data) => {
      model.timeseries = data;
      showCharts();
    },
  };

  function connect() {
    const events = new EventSource('/api/events');
    events.onopen = () => setConnection('live');
    events.onerror = () => setConnection(events.readyState === EventSource.CLOSED ? 'error' : 'connecting');
    for (const [type, handle] of Object.entries(HANDLERS))
      events.addEventListener(type, (event) => handle(JSON.parse(event.data)));
    // Events the page has no handler for still mean something changed.
    for (const type of ['breaker', 'health', 'verification', 'rateLimit', 'pool'])
      events.addEventListener(type, refreshSoon);
  }

  for (const button of document.querySelectorAll('.mode-button'))
    button.addEventListener('click', () => changeMode(button.dataset.mode));
  loadAll()
    .catch((error) => setConnection('error', error.message))
    .finally(connect);
})();
