(function () {
  'use strict';
  // Everything here is built from the JSON data with textContent and setAttribute: no
  // markup from data, no selectors from data, links only to http(s) URLs.
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var docs = data.docs;
  var OTHER = data.other;
  var state = { cats: null, rules: [], docs: [], sort: '', dir: 'asc', summary: false };
  var sections = [];
  var payloads = {};
  var lastHash = null;
  var observer = null;
  var boxes = Array.prototype.slice.call(document.querySelectorAll('#filters input[type=checkbox][value]'));
  var ruleSelect = document.getElementById('rule');
  var docInput = document.getElementById('doc');
  var summaryBox = document.getElementById('summary');

  function own(obj, key) { return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined; }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function link(text, url) {
    var a = el('a', '', text);
    if (typeof url === 'string' && /^https?:\/\//i.test(url)) {
      a.setAttribute('href', url);
      a.setAttribute('rel', 'noreferrer noopener');
    }
    return a;
  }

  // -- filters (the same rules as scraper.audit.filters) ---------------------------------------
  function narrows() { return state.cats !== null || state.rules.length > 0; }
  function labelOk(c, r) {
    if (state.cats !== null && state.cats.indexOf(c) < 0) { return false; }
    if (state.rules.length && state.rules.indexOf(r) < 0 && state.rules.indexOf(c + '/' + r) < 0) { return false; }
    if (!narrows()) { return true; }
    return OTHER.indexOf(c) < 0 || (state.cats !== null && state.cats.indexOf(c) >= 0);
  }
  function changeOk(labels) {
    var removals = labels.filter(function (l) { return OTHER.indexOf(l[0]) < 0; });
    return (removals.length ? removals : labels).some(function (l) { return labelOk(l[0], l[1]); });
  }
  function matches(pattern, name) {
    if (!/[*?]/.test(pattern)) { return name.indexOf(pattern) >= 0; }
    var rx = new RegExp('^' + pattern.split('').map(function (ch) {
      return ch === '*' ? '[\\s\\S]*' : ch === '?' ? '[\\s\\S]' : ch.replace(/[.*+?^${}()|[\]\\\/-]/g, '\\$&');
    }).join('') + '$');
    return rx.test(name) || rx.test(name.split('/').pop());
  }
  function docShown(d) {
    if (state.docs.length && !state.docs.some(function (p) { return matches(p, d.output) || matches(p, d.input); })) {
      return false;
    }
    return !narrows() || d.labels.some(function (l) { return labelOk(l[0], l[1]); });
  }
  function removalsShown(d) {
    var n = 0;
    d.rules.forEach(function (t) { if (t[0] !== 'layout' && labelOk(t[0], t[1])) { n += t[2]; } });
    return n;
  }

  // -- the URL fragment: cat=…&rule=…&doc=…&sort=…&dir=…&view=summary&at=doc-N ------------------
  function fromFilter(f) {
    state.cats = f.category.length ? f.category.slice() : null;
    state.rules = f.rule.slice();
    state.docs = f.doc.slice();
    state.summary = !!f.summary;
  }
  function readHash() {
    var h = decodeURIComponent(location.hash.slice(1));
    if (location.hash.indexOf('=') < 0) { return h; }
    var p = new URLSearchParams(location.hash.slice(1));
    var list = function (k) { return p.get(k) ? p.get(k).split(',') : []; };
    state.cats = p.has('cat') ? list('cat') : null;
    state.rules = list('rule');
    state.docs = list('doc');
    state.sort = p.get('sort') || '';
    state.dir = p.get('dir') === 'desc' ? 'desc' : 'asc';
    state.summary = p.get('view') === 'summary';
    return p.get('at') || '';
  }
  function writeHash(at) {
    var p = new URLSearchParams();
    if (state.cats !== null) { p.set('cat', state.cats.join(',')); }
    if (state.rules.length) { p.set('rule', state.rules.join(',')); }
    if (state.docs.length) { p.set('doc', state.docs.join(',')); }
    if (state.sort) { p.set('sort', state.sort); p.set('dir', state.dir); }
    if (state.summary) { p.set('view', 'summary'); }
    if (at) { p.set('at', at); }
    lastHash = '#' + p.toString();
    if (location.hash !== lastHash && !(lastHash === '#' && !location.hash)) { location.replace(lastHash); }
  }
  function showControls() {
    boxes.forEach(function (b) { b.checked = state.cats === null || state.cats.indexOf(b.value) >= 0; });
    ruleSelect.value = state.rules.length === 1 ? state.rules[0] : '';
    docInput.value = state.docs.join(',');
    summaryBox.checked = state.summary;
    Array.prototype.forEach.call(document.querySelectorAll('#index th'), function (th) {
      var key = th.getAttribute('data-key');
      if (key === state.sort) { th.setAttribute('aria-sort', state.dir === 'desc' ? 'descending' : 'ascending'); } else { th.removeAttribute('aria-sort'); }
    });
  }
  function readControls() {
    var on = boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
    state.cats = on.length === boxes.length ? null : on;
    state.rules = ruleSelect.value ? [ruleSelect.value] : [];
    state.docs = docInput.value.split(',').map(function (s) { return s.trim(); }).filter(Boolean);
    state.summary = summaryBox.checked;
  }

  // -- the index -----------------------------------------------------------------------------
  function sortValue(d, key) {
    if (key.indexOf('c:') === 0) { return own(d.counts, key.slice(2)) || 0; }
    if (key === 'layout' || key === 'total') { return d[key]; }
    return String(own(d, key) || '').toLowerCase();
  }
  function ordered() {
    var list = docs.slice();
    if (!state.sort) { return list; }
    var sign = state.dir === 'desc' ? -1 : 1;
    list.sort(function (a, b) {
      var x = sortValue(a, state.sort), y = sortValue(b, state.sort);
      if ((x === '') !== (y === '')) { return x === '' ? 1 : -1; }  // nothing named: last
      var c = typeof x === 'number' ? x - y : (x < y ? -1 : x > y ? 1 : 0);
      return c * sign || a.i - b.i;
    });
    return list;
  }
  function indexRow(d) {
    var tr = el('tr');
    tr.setAttribute('data-doc', String(d.i));
    var td = el('td', 'name');
    var a = el('a', '', d.output);
    a.setAttribute('href', '#doc-' + d.i);
    a.setAttribute('data-go', String(d.i));
    td.appendChild(a);
    tr.appendChild(td);
    td = el('td', 'name');
    td.appendChild(d.input_url ? link(d.input, d.input_url) : document.createTextNode(d.input));
    tr.appendChild(td);
    td = el('td');
    td.appendChild(d.publisher_url ? link(d.publisher || '—', d.publisher_url) : document.createTextNode(d.publisher || '—'));
    tr.appendChild(td);
    data.categories.forEach(function (c) {
      var n = own(d.counts, c) || 0;
      var cell = el('td', n ? 'n' : 'n zero', n);
      cell.setAttribute('data-category', c);
      tr.appendChild(cell);
    });
    tr.appendChild(el('td', d.layout ? 'n' : 'n zero', d.layout));
    tr.appendChild(el('td', 'n total', d.total));
    return tr;
  }
  function renderIndex() {
    var tbody = document.querySelector('#index tbody');
    var frag = document.createDocumentFragment();
    var box = document.getElementById('docs');
    var order = ordered();
    order.forEach(function (d) { frag.appendChild(indexRow(d)); });
    tbody.replaceChildren(frag);
    order.forEach(function (d) { box.appendChild(sections[d.i]); });
    applyVisibility();
  }

  // -- documents -----------------------------------------------------------------------------
  function section(d) {
    var sec = el('section', 'doc pending');
    sec.id = 'doc-' + d.i;
    var head = el('div', 'doc-head');
    var h = el('h2', '', d.output);
    h.setAttribute('tabindex', '-1');
    head.appendChild(h);
    var back = el('a', 'back', '↑ index');
    back.setAttribute('href', '#index');
    back.setAttribute('data-go', 'index');
    head.appendChild(back);
    sec.appendChild(head);
    var how = { diff: 'the diff from its original', page: 'its removals in place in the original page', list: 'original not found: its removals as recorded' };
    var meta = 'from ' + d.input + ' · original source: ' + (d.publisher || '(none named)') + ' · ' + d.total +
      ' removals' + (d.layout ? ', ' + d.layout + ' layout changes' : '') + ' · ' + (own(how, d.placed) || '') +
      (d.unplaced ? ' (' + d.unplaced + ' not found in the page)' : '');
    sec.appendChild(el('p', 'meta', meta));
    var art = el('div', 'article');
    art.style.height = Math.min(20000, 20 * d.size + 20) + 'px';
    sec.appendChild(art);
    return sec;
  }
  function kindOf(change) {
    var cats = change.l.map(function (l) { return l[0]; });
    var only = function (k) { return cats.length && cats.every(function (c) { return c === k; }); };
    return only('added') ? 'kind-added' : only('layout') ? 'kind-layout' : only('extraction') ? 'kind-extraction' : 'kind-removal';
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
    if (kind === 'f') {
      return el('div', 'l boiler', row[1]);
    }
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
        box.appendChild(mark(el('div', 'label', '# ' + payload.changes[c].t), c, 'row', payload));
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
  function renderDoc(i) {
    var sec = sections[i];
    if (own(payloads, i)) { return; }
    var payload = JSON.parse(document.getElementById('d' + i).textContent);
    payloads[i] = payload;
    var art = el('div', 'article');
    var labelled = {};
    var run = [];
    var flush = function () {
      if (run.some(function (r) { return r[0] === 'f'; })) { art.appendChild(region(run, payload, labelled)); } else { appendRows(art, run, payload, labelled); }
      run = [];
    };
    payload.rows.forEach(function (row) {
      if (between(row, payload)) { run.push(row); return; }
      flush();
      appendRows(art, [row], payload, labelled);
    });
    flush();
    sec.replaceChild(art, sec.querySelector('.article'));
    sec.classList.remove('pending');
    if (observer) { observer.unobserve(sec); }
    applyRows(i);
  }
  function applyRows(i) {
    var payload = own(payloads, i);
    if (!payload) { return; }
    var sec = sections[i];
    Array.prototype.forEach.call(sec.querySelectorAll('[data-c]'), function (node) {
      var change = payload.changes[Number(node.getAttribute('data-c'))];
      var on = changeOk(change.l);
      node.classList.toggle(node.getAttribute('data-m') === 'row' ? 'hidden' : 'off', !on);
    });
    Array.prototype.forEach.call(sec.querySelectorAll('[data-aside]'), function (row) {
      row.classList.toggle('hidden', !row.querySelector('[data-c]:not(.off)'));
    });
    var folds = labelOk('extraction', 'not-in-article');
    Array.prototype.forEach.call(sec.querySelectorAll('.l.boiler'), function (f) { f.classList.toggle('hidden', !folds); });
    Array.prototype.forEach.call(sec.querySelectorAll('details.region'), function (f) {
      var shown = f.querySelector('[data-m=row]:not(.hidden)');
      f.classList.toggle('hidden', !folds && !shown);
      if (shown && narrows()) { f.open = true; }
    });
  }
  function applyVisibility() {
    var shownDocs = 0, shownRemovals = 0;
    var rows = document.querySelectorAll('#index tbody tr');
    Array.prototype.forEach.call(rows, function (tr) {
      var d = docs[Number(tr.getAttribute('data-doc'))];
      var on = docShown(d);
      tr.classList.toggle('hidden', !on);
      sections[d.i].classList.toggle('hidden', !on || state.summary);
      if (on) { shownDocs += 1; shownRemovals += removalsShown(d); }
    });
    document.getElementById('shown-documents').textContent = String(shownDocs);
    document.getElementById('shown-removals').textContent = String(shownRemovals);
    Object.keys(payloads).forEach(function (i) { applyRows(Number(i)); });
  }
  function goTo(target) {
    if (target === 'index') {
      document.getElementById('index').scrollIntoView();
      window.scrollBy(0, -document.querySelector('header').offsetHeight - 8);
      writeHash('');
      return;
    }
    var i = Number(String(target).replace(/^doc-/, ''));
    if (!(i >= 0 && i < docs.length) || sections[i].classList.contains('hidden')) { return; }
    renderDoc(i);
    sections[i].scrollIntoView();
    window.scrollBy(0, -document.querySelector('header').offsetHeight - 8);  // below the sticky header
    sections[i].querySelector('h2').focus({ preventScroll: true });
    writeHash('doc-' + i);
  }

  // -- wiring --------------------------------------------------------------------------------
  function changed() { readControls(); writeHash(''); applyVisibility(); }
  function sortBy(key) {
    var numeric = key.indexOf('c:') === 0 || key === 'layout' || key === 'total';
    if (state.sort === key) { state.dir = state.dir === 'asc' ? 'desc' : 'asc'; } else { state.sort = key; state.dir = numeric ? 'desc' : 'asc'; }
    showControls();
    writeHash('');
    renderIndex();
  }
  function start() {
    fromFilter(data.filter);
    var at = readHash();
    docs.forEach(function (d) { sections[d.i] = section(d); });
    showControls();
    renderIndex();
    if (docs.length <= data.lazy) {
      docs.forEach(function (d) { renderDoc(d.i); });
    } else if ('IntersectionObserver' in window) {
      observer = new IntersectionObserver(function (entries) {
        entries.forEach(function (e) { if (e.isIntersecting) { renderDoc(Number(e.target.id.slice(4))); } });
      }, { rootMargin: '1500px 0px' });
      sections.forEach(function (s) { observer.observe(s); });
    }
    boxes.forEach(function (b) { b.addEventListener('change', changed); });
    ruleSelect.addEventListener('change', changed);
    summaryBox.addEventListener('change', changed);
    var timer = null;
    docInput.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(changed, 150); });
    document.getElementById('reset').addEventListener('click', function () {
      fromFilter({ category: [], rule: [], doc: [], summary: false });
      showControls();
      changed();
    });
    Array.prototype.forEach.call(document.querySelectorAll('#index th'), function (th) {
      th.querySelector('button').addEventListener('click', function () { sortBy(th.getAttribute('data-key')); });
    });
    document.addEventListener('click', function (ev) {
      var a = ev.target.closest ? ev.target.closest('a[data-go]') : null;
      if (a) { ev.preventDefault(); goTo(a.getAttribute('data-go')); }
    });
    document.addEventListener('keydown', function (ev) {
      if (ev.key === '/' && document.activeElement.tagName !== 'INPUT' && document.activeElement.tagName !== 'SELECT') {
        ev.preventDefault();
        docInput.focus();
      }
    });
    window.addEventListener('hashchange', function () {
      if (location.hash === lastHash) { return; }
      var target = readHash();
      showControls();
      renderIndex();
      if (target) { goTo(target); }
    });
    if (location.hash.indexOf('=') >= 0 || !location.hash) { writeHash(at); }
    if (at) { goTo(at); }
  }
  start();
})();
