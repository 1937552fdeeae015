// One document's view, drawn from its data: rows of the article, changes with their labels,
// page chrome folded. Only createElement, textContent and setAttribute: no markup from data.
var scraperAuditRender = (function () {
  'use strict';

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function kindOf(change) {
    var cats = change.l.map(function (l) { return l[0]; });
    var only = function (k) { return cats.length && cats.every(function (c) { return c === k; }); };
    if (only('added')) { return 'kind-added'; }
    if (only('layout')) { return 'kind-layout'; }
    return only('extraction') ? 'kind-extraction' : 'kind-removal';
  }
  function mark(node, c, mode, payload) {
    node.setAttribute('data-c', String(c));
    node.setAttribute('data-m', mode);
    node.classList.add(kindOf(payload.changes[c]));
    return node;
  }
  function rowNode(row, payload) {
    var kind = row[0], div;
    if (kind === 'e') {
      div = el('div', 'l edit');
      if (!row[2]) { div.setAttribute('data-aside', '1'); }
      row[1].forEach(function (s) {
        if (s[0] === '=') { div.appendChild(document.createTextNode(s[1])); return; }
        div.appendChild(mark(el(s[0] === '-' ? 'del' : 'ins', '', s[1]), s[2], 'seg', payload));
      });
      return div;
    }
    if (kind === 'f') { return el('div', 'l boiler', row[1]); }
    if (kind === 'd' || kind === 'a') {
      var cls = kind === 'a' ? 'l add' : payload.placed === 'diff' ? 'l del' : 'l del snippet';
      div = mark(el('div', cls), row[2], kind === 'd' ? 'row' : 'add', payload);
      div.appendChild(el(kind === 'd' ? 'del' : 'ins', '', row[1]));
      return div;
    }
    return el('div', kind === 'n' ? 'l note' : 'l', row[1]);
  }
  function rowChanges(row) {
    if (row[0] === 'e') {
      var out = [];
      row[1].forEach(function (s) { if (s.length > 2 && out.indexOf(s[2]) < 0) { out.push(s[2]); } });
      return out;
    }
    return (row[0] === 'd' || row[0] === 'a') ? [row[2]] : [];
  }
  function between(row, payload) {
    // rows that are not lines of the article: page text left out, elements cut from the page
    return row[0] === 'f' || (row[0] === 'd' && payload.placed !== 'diff') || (row[0] === 'e' && !row[2]);
  }
  function appendRows(box, rows, payload, labelled) {
    rows.forEach(function (row) {
      rowChanges(row).forEach(function (c) {
        if (labelled[c]) { return; }
        labelled[c] = true;
        box.appendChild(mark(el('div', 'label', '# ' + payload.texts[payload.changes[c].t]), c, 'row', payload));
      });
      box.appendChild(rowNode(row, payload));
    });
  }
  function region(rows, payload, labelled) {
    // page chrome between two lines of the article, with what was cut from it: folded
    var words = 0, cuts = {};
    rows.forEach(function (row) {
      if (row[0] === 'f') { words += row[2]; }
      rowChanges(row).forEach(function (c) { if (payload.changes[c].r) { cuts[c] = true; } });
    });
    var n = Object.keys(cuts).length;
    var box = el('details', 'fold region');
    var summary = words + (words === 1 ? ' word' : ' words') + ' of the page not in the article' +
      (n ? ', ' + n + (n === 1 ? ' removal' : ' removals') + ' in them' : '') + ' (folded)';
    box.appendChild(el('summary', '', summary));
    appendRows(box, rows, payload, labelled);
    return box;
  }
  function article(payload) {
    var art = el('div', 'article');
    var labelled = {};
    var run = [];
    var flush = function () {
      if (run.some(function (r) { return r[0] === 'f'; })) {
        art.appendChild(region(run, payload, labelled));
      } else {
        appendRows(art, run, payload, labelled);
      }
      run = [];
    };
    payload.rows.forEach(function (row) {
      if (between(row, payload)) { run.push(row); return; }
      flush();
      appendRows(art, [row], payload, labelled);
    });
    flush();
    return art;
  }
  function apply(sec, payload, filter) {
    // the filters: a change not asked for is hidden (or, inside a line, shown as accepted)
    Array.prototype.forEach.call(sec.querySelectorAll('[data-c]'), function (node) {
      var on = filter.change(payload.changes[Number(node.getAttribute('data-c'))].l);
      node.classList.toggle(node.getAttribute('data-m') === 'row' ? 'hidden' : 'off', !on);
    });
    Array.prototype.forEach.call(sec.querySelectorAll('[data-aside]'), function (row) {
      row.classList.toggle('hidden', !row.querySelector('[data-c]:not(.off)'));
    });
    var folds = filter.label('extraction', 'not-in-article');
    Array.prototype.forEach.call(sec.querySelectorAll('.l.boiler'), function (f) { f.classList.toggle('hidden', !folds); });
    Array.prototype.forEach.call(sec.querySelectorAll('details.region'), function (f) {
      var shown = f.querySelector('[data-m=row]:not(.hidden)');
      f.classList.toggle('hidden', !folds && !shown);
      if (shown && filter.narrows()) { f.open = true; }
    });
  }
  function inflate(text) {
    // a large report keeps each document's data gzipped (base64): read when it is shown
    var bin = atob(text.trim());
    var bytes = new Uint8Array(bin.length);
    for (var k = 0; k < bin.length; k++) { bytes[k] = bin.charCodeAt(k); }
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Response(stream).text().then(JSON.parse);
  }
  return { el: el, article: article, apply: apply, inflate: inflate };
})();
