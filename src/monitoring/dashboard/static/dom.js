// Small DOM helpers shared by the dashboard scripts. Values always go in as text, never as HTML.
(() => {
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) {
      if (value === undefined || value === null) continue;
      if (key === 'text') node.textContent = String(value);
      else if (key === 'onclick') node.addEventListener('click', value);
      else node.setAttribute(key, String(value));
    }
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
  }

  function pill(value, extra) {
    return el('span', { class: 'pill pill-' + String(value) + (extra ? ' ' + extra : ''), text: value });
  }

  function table(headers, rows) {
    if (rows.length === 0) return el('p', { class: 'empty', text: 'None.' });
    const head = el(
      'tr',
      {},
      ...headers.map((h) => el('th', { class: h.num ? 'num' : null, text: h.label })),
    );
    return el('table', {}, el('thead', {}, head), el('tbody', {}, ...rows));
  }

  function td(value, num) {
    return el(
      'td',
      { class: num ? 'num' : null },
      value instanceof Node ? value : document.createTextNode(show(value)),
    );
  }

  function show(value) {
    return value === null || value === undefined ? '—' : String(value);
  }

  function time(ms) {
    return ms === null || ms === undefined ? '—' : new Date(ms).toISOString().slice(11, 19);
  }

  function percent(rate) {
    return rate === null || rate === undefined ? '—' : (rate * 100).toFixed(1) + '%';
  }

  function replace(id, ...nodes) {
    const target = document.getElementById(id);
    if (target) target.replaceChildren(...nodes);
  }

  window.KeelDom = { el, pill, table, td, show, time, percent, replace };
})();
