"""The HTML report's style and script, inline in the page: it makes no network request at all."""

STYLE = """
:root { --del: #ffd7d5; --ins: #ccf2d1; --line: #d0d7de; --muted: #57606a; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #1f2328; }
h1 { font-size: 20px; margin: 0 0 4px; }
.muted { color: var(--muted); }
.summary { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 12px 0 16px; }
.summary dt { font-weight: 600; }
.summary dd { margin: 0; }
.gate-pass { color: #1a7f37; } .gate-fail { color: #cf222e; font-weight: 600; }
.controls { display: flex; gap: 12px; align-items: center; margin: 12px 0; }
.controls input { padding: 4px 8px; min-width: 280px; }
table#cases { border-collapse: collapse; width: 100%; }
#cases th, #cases td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
#cases th[data-key] { cursor: pointer; user-select: none; white-space: nowrap; }
#cases th[data-dir="asc"]::after { content: " ▲"; } #cases th[data-dir="desc"]::after { content: " ▼"; }
#cases td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.main { cursor: pointer; } tr.main:hover { background: #f6f8fa; }
tr.detail { display: none; } tbody.open tr.detail { display: table-row; }
.verdict { font-weight: 600; } .v-same { color: #1a7f37; } .v-equivalent { color: #0969da; }
.v-drift { color: #9a6700; } .v-broken { color: #cf222e; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
.pair pre { white-space: pre-wrap; word-break: break-word; margin: 4px 0; padding: 8px;
  background: #f6f8fa; border-radius: 4px; }
del.w { background: var(--del); text-decoration: none; }
ins.w { background: var(--ins); text-decoration: none; }
.badge { font-size: 11px; padding: 0 6px; border-radius: 8px; background: #ddf4ff; color: #0969da; margin-left: 4px; }
.meta { color: var(--muted); font-size: 12px; }
"""

# Sorting reorders the <tbody> of each case (its row and its hidden detail row move together);
# numbers sort as numbers and missing values go last either way.
SCRIPT = """
(function () {
  var table = document.getElementById('cases');
  var search = document.getElementById('filter');
  var verdict = document.getElementById('verdict');
  function value(body, key, numeric) {
    var raw = body.dataset[key];
    if (!numeric) return raw || '';
    return raw === '' || raw === undefined ? null : parseFloat(raw);
  }
  function sortBy(th) {
    var key = th.dataset.key, numeric = th.dataset.type === 'num';
    var dir = th.dataset.dir === 'asc' ? 'desc' : 'asc';
    table.querySelectorAll('th[data-key]').forEach(function (h) { delete h.dataset.dir; });
    th.dataset.dir = dir;
    var sign = dir === 'asc' ? 1 : -1;
    var bodies = Array.prototype.slice.call(table.tBodies);
    bodies.sort(function (a, b) {
      var x = value(a, key, numeric), y = value(b, key, numeric);
      if (x === null && y === null) return 0;
      if (x === null) return 1;
      if (y === null) return -1;
      if (numeric) return (x - y) * sign;
      return x.localeCompare(y, undefined, {numeric: true}) * sign;
    });
    bodies.forEach(function (body) { table.appendChild(body); });
  }
  function applyFilter() {
    var text = search.value.toLowerCase(), wanted = verdict.value, shown = 0;
    Array.prototype.forEach.call(table.tBodies, function (body) {
      var ok = (!wanted || body.dataset.verdict === wanted) && body.dataset.search.indexOf(text) !== -1;
      body.hidden = !ok;
      shown += ok ? 1 : 0;
    });
    document.getElementById('shown').textContent = shown;
  }
  table.querySelectorAll('th[data-key]').forEach(function (th) {
    th.addEventListener('click', function () { sortBy(th); });
  });
  table.addEventListener('click', function (event) {
    var row = event.target.closest('tr.main');
    if (row) row.parentNode.classList.toggle('open');
  });
  search.addEventListener('input', applyFilter);
  verdict.addEventListener('change', applyFilter);
})();
"""
