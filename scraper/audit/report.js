(function () {
  'use strict';
  // The report: filters, the URL fragment, the index, which documents are drawn. Built from the
  // JSON data with textContent and setAttribute: no markup, no selectors from data; links only
  // to http(s) URLs. A large report draws the index and the documents a chunk at a time.
  var R = scraperAuditRender;
  var el = R.el;
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var docs = data.docs;
  var OTHER = data.other;
  var EAGER = docs.length <= data.lazy;
  var INDEX_CHUNK = data.chunks[0], DOC_CHUNK = data.chunks[1];
  var state = { cats: null, rules: [], docs: [], sort: '', dir: 'asc', summary: false };
  var order = [];  // the documents the filters show, in the index's order
  var indexShown = 0;
  var win = [0, 0];  // the documents drawn: order[win[0]] … order[win[1] - 1]
  var sections = {};
  var payloads = {};
  var loading = {};
  var lastHash = null;
  var near = null;
  var tbody = document.querySelector('#index tbody');
  var box = document.getElementById('docs');
  var boxes = Array.prototype.slice.call(document.querySelectorAll('#filters input[type=checkbox][value]'));
  var ruleSelect = document.getElementById('rule');
  var docInput = document.getElementById('doc');
  var summaryBox = document.getElementById('summary');

  function own(obj, key) { return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined; }
  function each(list, f) { Array.prototype.forEach.call(list, f); }
  function link(text, url) {
    var a = el('a', '', text);
    if (typeof url === 'string' && /^https?:\/\//i.test(url)) {
      a.setAttribute('href', url);
      a.setAttribute('target', '_blank');
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
  var filter = { label: labelOk, change: changeOk, narrows: narrows };
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
    return !narrows() || d.labels.some(function (l) { return changeOk([l]); });
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
    if (location.hash.indexOf('=') < 0) { return decodeURIComponent(location.hash.slice(1)); }
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
    each(document.querySelectorAll('#index th'), function (th) {
      if (th.getAttribute('data-key') === state.sort) {
        th.setAttribute('aria-sort', state.dir === 'desc' ? 'descending' : 'ascending');
      } else {
        th.removeAttribute('aria-sort');
      }
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
    var list = docs.filter(docShown);
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
  function more(text, action, auto) {
    // a button that draws the next chunk; `auto`: also when it comes near the view
    var b = el('button', 'more', text);
    b.setAttribute('type', 'button');
    b.addEventListener('click', action);
    if (auto && near) { near.observe(b); }
    return b;
  }
  function moreIndex() {
    var old = tbody.querySelector('tr.more');
    if (old) { tbody.removeChild(old); }
    var n = EAGER ? order.length : Math.min(order.length, indexShown + INDEX_CHUNK);
    var frag = document.createDocumentFragment();
    for (var k = indexShown; k < n; k++) { frag.appendChild(indexRow(order[k])); }
    indexShown = n;
    if (n < order.length) {
      var tr = el('tr', 'more');
      var td = el('td');
      td.setAttribute('colspan', String(data.categories.length + 5));
      td.appendChild(more((order.length - n) + ' more documents: show them', moreIndex, true));
      tr.appendChild(td);
      frag.appendChild(tr);
    }
    tbody.appendChild(frag);
  }
  function refresh() {
    order = ordered();
    var removals = 0;
    order.forEach(function (d) { removals += removalsShown(d); });
    document.getElementById('shown-documents').textContent = String(order.length);
    document.getElementById('shown-removals').textContent = String(removals);
    indexShown = 0;
    tbody.replaceChildren();
    moreIndex();
    box.classList.toggle('hidden', state.summary);
    setWindow(0);
  }

  // -- documents -----------------------------------------------------------------------------
  function section(d) {
    if (own(sections, d.i)) { return sections[d.i]; }
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
    sections[d.i] = sec;
    return sec;
  }
  function renderDoc(i) {
    if (own(payloads, i)) { return Promise.resolve(); }
    if (own(loading, i)) { return loading[i]; }
    var node = document.getElementById('d' + i);
    if (node.type === 'application/json') {
      draw(i, JSON.parse(node.textContent));
      return Promise.resolve();
    }
    loading[i] = R.inflate(node.textContent).then(function (payload) { draw(i, payload); }, function () {
      sections[i].querySelector('.article').textContent = 'This document\'s data could not be read.';
    });
    return loading[i];
  }
  function draw(i, payload) {
    var sec = sections[i];
    payloads[i] = payload;
    sec.replaceChild(R.article(payload), sec.querySelector('.article'));
    sec.classList.remove('pending');
    if (near) { near.unobserve(sec); }
    R.apply(sec, payload, filter);
  }
  function show(d) {
    var sec = section(d);
    if (own(payloads, d.i)) { R.apply(sec, payloads[d.i], filter); } else if (EAGER) { renderDoc(d.i); } else if (near) { near.observe(sec); }
    return sec;
  }
  function setWindow(start) {
    win = [start, EAGER ? order.length : Math.min(order.length, start + DOC_CHUNK)];
    var frag = document.createDocumentFragment();
    if (start > 0) { frag.appendChild(more('show the ' + Math.min(start, DOC_CHUNK) + ' documents before', earlier, false)); }
    for (var k = win[0]; k < win[1]; k++) { frag.appendChild(show(order[k])); }
    if (win[1] < order.length) { frag.appendChild(more((order.length - win[1]) + ' more documents: show them', later, true)); }
    box.replaceChildren(frag);
  }
  function later() {
    var b = box.lastElementChild;
    var end = Math.min(order.length, win[1] + DOC_CHUNK);
    for (var k = win[1]; k < end; k++) { box.insertBefore(show(order[k]), b); }
    win[1] = end;
    if (end < order.length) {
      b.textContent = (order.length - end) + ' more documents: show them';
      if (near) { near.observe(b); }
    } else {
      box.removeChild(b);
    }
  }
  function earlier() {
    var b = box.firstElementChild;
    var first = b.nextElementSibling;
    var start = Math.max(0, win[0] - DOC_CHUNK);
    for (var k = start; k < win[0]; k++) { box.insertBefore(show(order[k]), first); }
    win[0] = start;
    if (start > 0) { b.textContent = 'show the ' + Math.min(start, DOC_CHUNK) + ' documents before'; } else { box.removeChild(b); }
    if (first) { first.scrollIntoView(); window.scrollBy(0, -document.querySelector('header').offsetHeight - 8); }
  }
  function below(node) {
    node.scrollIntoView();
    window.scrollBy(0, -document.querySelector('header').offsetHeight - 8);  // the sticky header
  }
  function goTo(target) {
    if (target === 'index') {
      below(document.getElementById('index'));
      writeHash('');
      return;
    }
    var i = Number(String(target).replace(/^doc-/, ''));
    var p = order.findIndex(function (d) { return d.i === i; });
    if (p < 0 || state.summary) { return; }
    if (p < win[0] || p >= win[1]) { setWindow(p); }
    below(sections[i]);
    renderDoc(i).then(function () { below(sections[i]); });
    sections[i].querySelector('h2').focus({ preventScroll: true });
    writeHash('doc-' + i);
  }

  // -- wiring --------------------------------------------------------------------------------
  function changed() { readControls(); writeHash(''); refresh(); }
  function sortBy(key) {
    var numeric = key.indexOf('c:') === 0 || key === 'layout' || key === 'total';
    if (state.sort === key) { state.dir = state.dir === 'asc' ? 'desc' : 'asc'; } else { state.sort = key; state.dir = numeric ? 'desc' : 'asc'; }
    showControls();
    writeHash('');
    refresh();
  }
  function wire() {
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
    each(document.querySelectorAll('#index th'), function (th) {
      th.querySelector('button').addEventListener('click', function () { sortBy(th.getAttribute('data-key')); });
    });
    document.addEventListener('click', function (ev) {
      var a = ev.target.closest ? ev.target.closest('a[data-go]') : null;
      if (a) { ev.preventDefault(); goTo(a.getAttribute('data-go')); }
    });
    document.addEventListener('keydown', function (ev) {
      var tag = document.activeElement ? document.activeElement.tagName : '';
      if (ev.key === '/' && tag !== 'INPUT' && tag !== 'SELECT') { ev.preventDefault(); docInput.focus(); }
    });
    window.addEventListener('hashchange', function () {
      if (location.hash === lastHash) { return; }
      var target = readHash();
      showControls();
      refresh();
      if (target) { goTo(target); }
    });
  }
  function start() {
    fromFilter(data.filter);
    var at = readHash();
    if (!EAGER && 'IntersectionObserver' in window) {
      near = new IntersectionObserver(function (entries) {
        entries.forEach(function (e) {
          if (!e.isIntersecting) { return; }
          if (e.target.tagName === 'BUTTON') { near.unobserve(e.target); e.target.click(); } else { renderDoc(Number(e.target.id.slice(4))); }
        });
      }, { rootMargin: '1500px 0px' });
    }
    showControls();
    refresh();
    wire();
    if (location.hash.indexOf('=') >= 0 || !location.hash) { writeHash(at); }
    if (at) { goTo(at); }
    if (window.performance && performance.mark) { performance.mark('report-ready'); }
  }
  start();
})();
