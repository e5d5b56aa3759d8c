// detsys debug --html: the page's behaviour. The data is in script
// elements: .lines (one trace record per line, parsed only when a step is
// shown; in pieces of at most 32 MB, as a JavaScript string cannot hold a
// long trace) and #meta (the step table, lanes, operations, verdicts).
// Only the rows around the current step are drawn, so a long trace stays
// quick.
// A script error is noted on the body (data-error), where the tests look.
window.addEventListener('error', (e) => { document.body.dataset.error = e.message; });
(function () {
  'use strict';
  const t0 = performance.now();
  const M = JSON.parse(document.getElementById('meta').textContent);
  const LINES = [];
  for (const chunk of document.querySelectorAll('script.lines')) {
    for (const line of chunk.textContent.split('\n')) LINES.push(line);
  }
  const W = M.stride, S = M.steps, N = S.length / W;
  const C = {step: 0, at: 1, kind: 2, lane: 3, from: 4, sent: 5, label: 6, flags: 7};
  const F = {state: 1, sends: 2, logs: 4, witness: 8};
  const OW = M.op_stride, OPS = M.ops, NOPS = OPS.length / OW;
  const O = {client: 0, invoke: 1, complete: 2, status: 3, label: 4, witness: 5};
  const STATUS = ['pending', 'ok', 'fail', 'info'];
  const LANES = M.lanes, NC = M.clients;
  const WIT = M.witness;
  const SVGNS = 'http://www.w3.org/2000/svg';

  const col = (r, c) => S[r * W + c];
  const kindOf = (r) => M.kinds[col(r, C.kind)];
  const stepNo = (r) => col(r, C.step);
  const isClientLane = (l) => l >= 0 && l < NC;
  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'}[c]));
  const $ = (id) => document.getElementById(id);

  function fmtTime(ns) {
    if (ns < 1e3) return ns + ' ns';
    if (ns < 1e6) return (ns / 1e3).toFixed(3) + ' µs';
    if (ns < 1e9) return (ns / 1e6).toFixed(3) + ' ms';
    return (ns / 1e9).toFixed(3) + ' s';
  }

  // Derived indexes, built once.
  // recv[r]: the rows that received what row r sent (CSR arrays).
  const recvStart = new Int32Array(N + 1), recvRows = [];
  (function () {
    const count = new Int32Array(N);
    for (let r = 0; r < N; r++) {
      const s = col(r, C.sent), k = kindOf(r);
      if (s >= 0 && k !== 'timer') count[s]++;
    }
    for (let r = 0; r < N; r++) recvStart[r + 1] = recvStart[r] + count[r];
    const fill = recvStart.slice(0, N);
    for (let r = 0; r < N; r++) {
      const s = col(r, C.sent), k = kindOf(r);
      if (s >= 0 && k !== 'timer') recvRows[fill[s]++] = r;
    }
  })();
  const received = (r) => recvRows.slice(recvStart[r], recvStart[r + 1]);
  // Arrows longer than LONG rows are kept apart, so that drawing a window
  // needs to look only at the rows near it and at this short list.
  const LONG = 400, longRows = [];
  for (let r = 0; r < N; r++) {
    const s = col(r, C.sent);
    if (s >= 0 && r - s > LONG) longRows.push(r);
  }
  // The rows with a node's state, per lane; the intervals a node was down.
  const stateRows = LANES.map(() => []);
  const down = LANES.map(() => []);
  for (let r = 0; r < N; r++) {
    const l = col(r, C.lane), k = kindOf(r);
    if (l < 0) continue;
    if (col(r, C.flags) & F.state) stateRows[l].push(r);
    if (k === 'crash' || k === 'panic') down[l].push([r, N]);
    if (k === 'restart' && down[l].length) {
      const last = down[l][down[l].length - 1];
      if (last[1] === N) last[1] = r;
    }
  }
  const parsed = new Map();
  function rec(r) {
    let v = parsed.get(r);
    if (v === undefined) {
      try { v = JSON.parse(LINES[r]); } catch (e) { v = {}; }
      if (parsed.size > 2000) parsed.clear();
      parsed.set(r, v);
    }
    return v;
  }
  // lastAtOrBefore: the greatest element of the sorted array a that is <= x, or -1.
  function lastAtOrBefore(a, x) {
    let lo = 0, hi = a.length;
    while (lo < hi) { const m = (lo + hi) >> 1; if (a[m] <= x) lo = m + 1; else hi = m; }
    return lo > 0 ? a[lo - 1] : -1;
  }
  // rowOfStep: the row of the first step at or after step s, or the last
  // (as debug --at has it).
  function rowOfStep(s) {
    let lo = 0, hi = N;
    while (lo < hi) { const m = (lo + hi) >> 1; if (stepNo(m) < s) lo = m + 1; else hi = m; }
    return Math.min(lo, N - 1);
  }
  const isDown = (l, r) => down[l].some(([a, b]) => r >= a && r < b);

  // The view.
  let cur = Math.min(Math.max(M.at, 0), N - 1);
  let pinned = -1;           // lane chosen with 1–9, or -1: follow the step
  let followed = NC < LANES.length ? NC : 0;
  let fBack = -1, fFrom = -1; // f: where to come back to, from where
  let query = '', prompt = null, promptText = '', status = '';
  let timeAxis = false; // the history's x: steps, or simulated time

  function go(r, why) {
    cur = Math.min(Math.max(r, 0), N - 1);
    if (why !== 'f') fBack = -1;
    render();
  }

  function press(key) {
    if (prompt !== null) {
      if (key === 'Enter') {
        const text = promptText, kind = prompt;
        prompt = null; promptText = '';
        if (kind === '/') { query = text; search(1); }
        else if (kind === ':') {
          const s = parseInt(text, 10);
          if (isNaN(s)) setStatus('not a step: ' + text); else { setStatus(''); go(rowOfStep(s)); }
        }
      } else if (key === 'Escape') { prompt = null; promptText = ''; }
      else if (key === 'Backspace') { promptText = promptText.slice(0, -1); }
      else if (key.length === 1) { promptText += key; }
      renderBar();
      return;
    }
    const help = $('help');
    if (!help.hidden) {
      if (key === 'Escape' || key === '?' || key === 'q') { help.hidden = true; }
      return;
    }
    switch (key) {
      case 'j': case 'ArrowDown': case 'ArrowRight': go(cur + 1); break;
      case 'k': case 'ArrowUp': case 'ArrowLeft': go(cur - 1); break;
      case 'PageDown': case ' ': go(cur + pageRows()); break;
      case 'PageUp': go(cur - pageRows()); break;
      case 'g': case 'Home': go(0); break;
      case 'G': case 'End': go(N - 1); break;
      case 'f': jump(); break;
      case '/': case ':': prompt = key; promptText = ''; renderBar(); break;
      case 'n': search(1); break;
      case 'N': search(-1); break;
      case 'w': witnessStep(1); break;
      case 'W': witnessStep(-1); break;
      case '?': help.hidden = false; break;
      case 'Escape': setStatus(''); break;
      case '0': pinned = -1; render(); break;
      case 't': timeAxis = !timeAxis; renderHistory(); break;
      default:
        if (key >= '1' && key <= '9') {
          const l = NC + Number(key) - 1;
          if (l < LANES.length) { pinned = l; setStatus(''); render(); }
          else setStatus('no node ' + key + ' (' + (LANES.length - NC) + ' nodes)');
        } else return false;
    }
    return true;
  }

  function setStatus(s) { status = s; renderBar(); }

  function jump() {
    const r = cur;
    if (fBack >= 0 && r === fFrom) { const b = fBack; fBack = -1; go(b, 'f'); setStatus('back to step ' + stepNo(b)); return; }
    const s = col(r, C.sent);
    if (s >= 0) {
      fBack = r; fFrom = s; go(s, 'f');
      setStatus((kindOf(r) === 'timer' ? 'timer set' : 'sent') + ' at step ' + stepNo(s) + ' (f: back to ' + stepNo(r) + ')');
      return;
    }
    const out = received(r);
    if (out.length) {
      fBack = r; fFrom = out[0]; go(out[0], 'f');
      setStatus(kindOf(out[0]) + ' of what step ' + stepNo(r) + ' sent (f: back)');
      return;
    }
    setStatus('step ' + stepNo(r) + ' neither received nor sent a message');
  }

  function matches(r, q, fold) {
    const line = LINES[r], label = M.labels[col(r, C.label)];
    return fold ? (line.toLowerCase().includes(q) || label.toLowerCase().includes(q)) : (line.includes(q) || label.includes(q));
  }
  function search(dir) {
    if (!query) { setStatus('no search yet: / to search'); return; }
    const fold = query === query.toLowerCase();
    const q = query;
    for (let i = 1; i <= N; i++) {
      const r = ((cur + dir * i) % N + N) % N;
      if (matches(r, q, fold)) {
        const wrapped = dir > 0 ? r <= cur : r >= cur;
        go(r);
        setStatus('/' + q + (wrapped ? ' (wrapped)' : '') + ' — n, N: next, previous');
        return;
      }
    }
    setStatus('/' + q + ': not found');
  }

  function witnessStep(dir) {
    if (!WIT.length) { setStatus('no failing verdict in this trace'); return; }
    let r = -1;
    if (dir > 0) r = WIT.find((w) => w > cur);
    else for (let i = WIT.length - 1; i >= 0; i--) if (WIT[i] < cur) { r = WIT[i]; break; }
    if (r === undefined || r < 0) r = dir > 0 ? WIT[0] : WIT[WIT.length - 1];
    go(r);
    setStatus('witness: step ' + stepNo(r) + ' (' + (WIT.indexOf(r) + 1) + ' of ' + WIT.length + ')');
  }

  // ---- drawing ----
  const ROW = 20, HEAD = 38;
  let drawnFrom = 0; // the first row the diagram shows
  // The step list's columns: as wide as the longest step number needs.
  const X = (function () {
    const num = 10 + 7.4 * Math.max(4, String(stepNo(N - 1)).length);
    return {num: num, time: num + 8, kind: num + 84, label: num + 138};
  })();
  function pageRows() { return Math.max(1, Math.floor(($('diagram').clientHeight - HEAD) / ROW) - 2); }

  function el(tag, attrs, text) {
    let s = '<' + tag;
    for (const k in attrs) s += ' ' + k + '="' + esc(attrs[k]) + '"';
    return text === undefined ? s + '/>' : s + '>' + esc(text) + '</' + tag + '>';
  }

  function renderDiagram() {
    const box = $('diagram');
    const width = Math.max(box.clientWidth, 480), height = Math.max(box.clientHeight, 200);
    const gutter = Math.min(X.label + 210, Math.max(X.label + 60, width * 0.37));
    // Many clients share the room they need less of than the nodes.
    const cw = NC > 4 ? 0.55 : 1, total = NC * cw + (LANES.length - NC);
    const unit = (width - gutter - 20) / Math.max(total, 1);
    const x = (l) => gutter + 10 + unit * (l < NC ? cw * (l + 0.5) : NC * cw + (l - NC) + 0.5);
    const laneWidth = (l) => unit * (l < NC ? cw : 1);
    const laneW = unit;
    const rows = Math.max(1, Math.floor((height - HEAD) / ROW));
    let start = cur - Math.floor(rows / 2);
    start = Math.max(0, Math.min(start, N - rows));
    const end = Math.min(N, start + rows); // exclusive
    drawnFrom = start;
    const y = (r) => HEAD + (r - start) * ROW + ROW / 2;
    const out = [];
    out.push('<svg xmlns="' + SVGNS + '" width="' + width + '" height="' + height + '" class="seq">');
    out.push('<defs>' +
      '<marker id="ah" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="context-stroke"/></marker>' +
      '</defs>');
    // Rows: the current one, the witness, the text of the step list.
    for (let r = start; r < end; r++) {
      const top = HEAD + (r - start) * ROW, k = kindOf(r), fl = col(r, C.flags);
      const cls = 'row' + (r === cur ? ' cur' : '') + (fl & F.witness ? ' wit' : '') + (r % 2 ? ' odd' : '');
      out.push('<g class="' + cls + '" data-row="' + r + '">');
      out.push(el('rect', {x: 0, y: top, width: width, height: ROW, class: 'bg'}));
      if (fl & F.witness) out.push(el('rect', {x: 0, y: top + 2, width: 4, height: ROW - 4, class: 'witmark'}));
      out.push(el('text', {x: X.num, y: top + 14, class: 'num'}, stepNo(r)));
      out.push(el('text', {x: X.time, y: top + 14, class: 'time'}, fmtTime(col(r, C.at))));
      out.push(el('text', {x: X.kind, y: top + 14, class: 'kind k-' + k}, k));
      out.push(el('text', {x: X.label, y: top + 14, class: 'label'}, clip(M.labels[col(r, C.label)], Math.floor((gutter - X.label - 2) / 6.6))));
      out.push('</g>');
    }
    // Lanes, grey while the node is down.
    LANES.forEach((name, l) => {
      const cls = isClientLane(l) ? 'lane client' : 'lane';
      out.push(el('line', {x1: x(l), y1: HEAD - 4, x2: x(l), y2: height, class: cls}));
      for (const [a, b] of down[l]) {
        if (b <= start || a >= end) continue;
        const y1 = Math.max(y(a), HEAD), y2 = Math.min(y(Math.min(b, end)), height);
        out.push(el('line', {x1: x(l), y1: y1, x2: x(l), y2: y2, class: 'lane down'}));
      }
    });
    // Messages: those received in the window or just after it, and the long ones.
    const seen = new Set();
    const arrow = (r) => {
      if (seen.has(r)) return;
      seen.add(r);
      const s = col(r, C.sent), k = kindOf(r);
      if (s < 0 || s >= end || r < start) return;
      const from = col(r, C.from), to = col(r, C.lane);
      if (k === 'timer') {
        const xl = x(to), y1 = y(s), y2 = y(r), bend = Math.min(laneW * 0.4, 26);
        out.push(el('path', {d: 'M' + xl + ',' + y1 + ' C' + (xl + bend) + ',' + y1 + ' ' + (xl + bend) + ',' + y2 + ' ' + xl + ',' + y2,
          class: 'timerarc' + (r === cur ? ' hot' : '')}));
        return;
      }
      if (from < 0 || to < 0) return;
      const x1 = x(from), y1 = y(s), x2 = x(to), y2 = y(r);
      let cls = 'msg k-' + k;
      if (r === cur) cls += ' hot';
      else if (s === cur) cls += ' out'; // what the current step sent
      if (k === 'drop') {
        const mx = x1 + (x2 - x1) * 0.6, my = y1 + (y2 - y1) * 0.6;
        out.push(el('line', {x1: x1, y1: y1, x2: mx, y2: my, class: cls}));
        out.push(el('path', {d: 'M' + (mx - 5) + ',' + (my - 5) + 'l10,10m0,-10l-10,10', class: 'dropx'}));
      } else {
        out.push(el('line', {x1: x1, y1: y1, x2: x2, y2: y2, class: cls, 'marker-end': 'url(#ah)'}));
      }
    };
    for (let r = start; r < Math.min(N, end + LONG); r++) arrow(r);
    for (const r of longRows) arrow(r);
    // Events on the lanes.
    for (let r = start; r < end; r++) {
      const l = col(r, C.lane), k = kindOf(r), cy = y(r);
      if (l < 0) {
        if (k === 'end') out.push(el('line', {x1: gutter, y1: cy, x2: width, y2: cy, class: 'endline'}));
        continue;
      }
      const cx = x(l), hot = r === cur ? ' hot' : '';
      switch (k) {
        case 'crash': case 'panic':
          out.push(el('path', {d: 'M' + (cx - 7) + ',' + (cy - 7) + 'l14,14m0,-14l-14,14', class: 'crash' + hot}));
          if (k === 'panic') out.push(el('text', {x: cx + 10, y: cy + 4, class: 'bang'}, '!'));
          break;
        case 'restart':
          out.push(el('circle', {cx: cx, cy: cy, r: 6, class: 'restart' + hot}));
          break;
        case 'timer':
          out.push(el('circle', {cx: cx, cy: cy, r: 5, class: 'timer' + hot}));
          out.push(el('path', {d: 'M' + cx + ',' + (cy - 3) + 'v3h3', class: 'hand'}));
          break;
        case 'init':
          out.push(el('rect', {x: cx - 4, y: cy - 4, width: 8, height: 8, class: 'init' + hot}));
          break;
        case 'invoke':
          out.push(el('circle', {cx: cx, cy: cy, r: 4.5, class: 'ev k-invoke' + hot}));
          break;
        case 'drop':
          break;
        default:
          out.push(el('circle', {cx: cx, cy: cy, r: 3.5, class: 'ev k-' + k + hot}));
      }
    }
    // Lane names on top.
    out.push(el('rect', {x: 0, y: 0, width: width, height: HEAD - 4, class: 'headbg'}));
    out.push(el('text', {x: 8, y: 21, class: 'colhead'}, 'step'));
    out.push(el('text', {x: X.time, y: 21, class: 'colhead'}, 'time'));
    out.push(el('text', {x: X.kind, y: 21, class: 'colhead'}, 'event'));
    const shown = shownNode();
    const keyOf = (l) => !isClientLane(l) && l - NC < 9 ? String(l - NC + 1) : '';
    const nameWidth = (l) => textWidth(LANES[l]) + (keyOf(l) ? 12 : 0);
    // Names too long for their lane go on two staggered lines.
    const stagger = LANES.some((_, l) => nameWidth(l) + 6 > laneWidth(l));
    LANES.forEach((name, l) => {
      const key = keyOf(l), w = laneWidth(l) * (stagger ? 2 : 1) - 6;
      let room = name.length;
      while (room > 3 && textWidth(clip(name, room)) + (key ? 12 : 0) > w) room--;
      const ty = stagger ? (l % 2 ? 29 : 15) : 21;
      const half = (textWidth(clip(name, room)) + (key ? 12 : 0)) / 2;
      const tx = Math.max(Math.min(x(l), width - 4 - half), gutter + half);
      out.push('<text x="' + tx + '" y="' + ty + '" text-anchor="middle" class="lanename' + (isClientLane(l) ? ' client' : '') + (shown === l ? ' shown' : '') +
        (isDown(l, cur) ? ' isdown' : '') + '">' + (key ? '<tspan class="lanekey">' + key + '</tspan> ' : '') + esc(clip(name, room)) + '</text>');
    });
    out.push('</svg>');
    box.innerHTML = out.join('');
  }

  // textWidth is the width of a lane's name as the diagram draws it.
  const widths = new Map();
  let measure = null;
  function textWidth(s) {
    let w = widths.get(s);
    if (w === undefined) {
      if (!measure) {
        measure = document.createElement('canvas').getContext('2d');
        measure.font = '600 11px ' + getComputedStyle(document.body).fontFamily;
      }
      w = measure.measureText(s).width;
      widths.set(s, w);
    }
    return w;
  }

  function clip(s, n) { s = String(s); return s.length <= n ? s : s.slice(0, Math.max(1, n - 1)) + '…'; }

  // The node whose state is shown: the pinned one, or the step's node.
  function shownNode() {
    if (pinned >= 0) return pinned;
    const l = col(cur, C.lane);
    if (l >= NC && (col(cur, C.flags) & F.state || ['crash', 'panic'].includes(kindOf(cur)))) followed = l;
    else if (l >= NC && stateRows[l].length) followed = l;
    return followed;
  }

  function json(v) { return esc(JSON.stringify(v)); }

  function renderDetail() {
    const r = cur, k = kindOf(r), v = rec(r), fl = col(r, C.flags);
    const h = [];
    const lane = col(r, C.lane), from = col(r, C.from), s = col(r, C.sent);
    h.push('<h3><span class="kind k-' + k + '">' + esc(k) + '</span> step <b id="cur-step">' + stepNo(r) + '</b> <span class="dim">at ' + fmtTime(col(r, C.at)) + '</span>' +
      (fl & F.witness ? ' <span class="badge wit">witness</span>' : '') + '</h3>');
    const who = [];
    if (from >= 0) who.push(esc(LANES[from]) + ' → ' + esc(LANES[lane]));
    else if (lane >= 0) who.push(esc(LANES[lane]));
    if (v.id) who.push('message ' + esc(v.id));
    if (s >= 0 && k !== 'timer') who.push('sent at step ' + stepNo(s) + ', ' + fmtTime(col(r, C.at) - col(s, C.at)) + ' in flight');
    if (s >= 0 && k === 'timer') who.push('set at step ' + stepNo(s));
    if (v.reason) who.push('reason: ' + esc(v.reason));
    h.push('<div class="who">' + who.join(' · ') + '</div>');
    const kv = (name, val) => { if (val !== undefined && val !== null && val !== '') h.push('<div class="kv"><span class="k">' + name + '</span><code>' + json(val) + '</code></div>'); };
    if (k === 'invoke' || k === 'ok' || k === 'fail' || k === 'info') {
      h.push('<div class="kv"><span class="k">op</span><span class="oplabel">' + esc(M.labels[col(r, C.label)]) + '</span></div>');
      kv('request', v.op); kv('reply', v.reply);
    }
    kv('body', v.body);
    if (v.timer) kv('timer', v.timer);
    if (v.error) kv('error', v.error);
    if (v.panic) kv('panic', v.panic);
    if (v.sends && v.sends.length) {
      h.push('<div class="sub">sent</div><ul class="sends">');
      const rs = received(r);
      for (const m of v.sends) {
        const at = rs.find((x) => rec(x).id === m.id);
        const fate = at === undefined ? 'not received in the trace' : kindOf(at) + ' at step ' + stepNo(at);
        h.push('<li><b>' + esc(m.id) + '</b> → ' + esc(m.to) + ' <code>' + json(m.body) + '</code> <span class="dim">' + esc(fate) + '</span></li>');
      }
      h.push('</ul>');
    }
    if (v.timers && v.timers.length) h.push('<div class="kv"><span class="k">timers</span>' + v.timers.map((t) => esc(t.name) + ' in ' + fmtTime(t.after)).join(', ') + '</div>');
    if (v.cancel && v.cancel.length) kv('cancelled', v.cancel);
    if (v.logs && v.logs.length) {
      h.push('<div class="sub">log</div><pre class="logs">' + v.logs.map(esc).join('\n') + '</pre>');
    }
    if (v.stack) h.push('<div class="sub">stack</div><pre class="logs">' + esc(v.stack) + '</pre>');
    if (k === 'end' && v.steps !== undefined) h.push('<div class="kv"><span class="k">run</span>' + v.steps + ' steps, ' + fmtTime(v.time || 0) + ' simulated</div>');
    $('detail').innerHTML = h.join('');
  }

  // diff renders value v against the previous value p: what was added or
  // changed is marked .chg (with the old value beside it as .old), what was
  // removed .del. It counts the changes in n.
  function diff(v, p, has, n, indent) {
    const pad = '  '.repeat(indent);
    const isObj = (x) => x !== null && typeof x === 'object';
    if (!has) { n.c++; return '<span class="chg">' + json(v) + '</span>'; }
    if (isObj(v) && isObj(p) && Array.isArray(v) === Array.isArray(p)) {
      const parts = [];
      const line = (key, html) => parts.push(pad + '  ' + (key === null ? '' : '<span class="key">' + json(key) + '</span>: ') + html);
      const gone = (key, old) => { n.c++; parts.push(pad + '  <span class="del">' + (key === null ? '' : json(key) + ': ') + json(old) + '</span>'); };
      if (Array.isArray(v)) {
        for (const [a, b] of align(v, p)) {
          if (a === null) gone(null, p[b]);
          else line(null, diff(v[a], p[b], b !== null, n, indent + 1));
        }
      } else {
        for (const key of Object.keys(v)) line(key, diff(v[key], p[key], Object.prototype.hasOwnProperty.call(p, key), n, indent + 1));
        for (const key of Object.keys(p)) if (!Object.prototype.hasOwnProperty.call(v, key)) gone(key, p[key]);
      }
      const [open, close] = Array.isArray(v) ? ['[', ']'] : ['{', '}'];
      return parts.length ? open + '\n' + parts.join(',\n') + '\n' + pad + close : open + close;
    }
    if (JSON.stringify(v) === JSON.stringify(p)) return '<span class="val">' + json(v) + '</span>';
    n.c++;
    return '<span class="chg">' + json(v) + '</span> <span class="old">' + json(p) + '</span>';
  }

  // align pairs the elements of array v with those of the previous array
  // p, as [index in v or null, index in p or null], in order: equal
  // elements by their longest common subsequence, so that one element
  // removed from the front of a list does not show every other as changed;
  // between two equal ones, the rest pair up by position (and are diffed
  // field by field), and what is left over was added or removed.
  function align(v, p) {
    const a = v.map((x) => JSON.stringify(x)), b = p.map((x) => JSON.stringify(x));
    const out = [];
    const rest = (i0, i1, j0, j1) => {
      for (let i = i0, j = j0; i < i1 || j < j1; i++, j++) {
        if (i < i1) out.push([i, j < j1 ? j : null]);
        else out.push([null, j]);
      }
    };
    if (a.length * b.length > 40000) { rest(0, a.length, 0, b.length); return out; }
    // L[i][j]: the length of the LCS of a[i:] and b[j:].
    const L = Array.from({length: a.length + 1}, () => new Int32Array(b.length + 1));
    for (let i = a.length - 1; i >= 0; i--)
      for (let j = b.length - 1; j >= 0; j--)
        L[i][j] = a[i] === b[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
    let i = 0, j = 0, i0 = 0, j0 = 0;
    while (i < a.length && j < b.length) {
      if (a[i] === b[j]) { rest(i0, i, j0, j); out.push([i, j]); i++; j++; i0 = i; j0 = j; }
      else if (L[i + 1][j] >= L[i][j + 1]) i++;
      else j++;
    }
    rest(i0, a.length, j0, b.length);
    return out;
  }

  // changedAt: whether step r changed node l's state.
  function changedAt(l, r) {
    if (col(r, C.lane) !== l || !(col(r, C.flags) & F.state)) return false;
    const prev = lastAtOrBefore(stateRows[l], r - 1);
    return prev < 0 || JSON.stringify(rec(r).state) !== JSON.stringify(rec(prev).state);
  }

  function renderState() {
    const l = shownNode();
    // The node tabs and what the step did stay on top while the state scrolls.
    const tabs = ['<div class="tabs">'];
    for (let i = NC; i < LANES.length; i++) {
      const changed = changedAt(i, cur);
      tabs.push('<span class="tab' + (i === l ? ' on' : '') + (changed ? ' changed' : '') + (isDown(i, cur) ? ' isdown' : '') + '" data-lane="' + i + '">' +
        (i - NC < 9 ? '<kbd>' + (i - NC + 1) + '</kbd>' : '') + esc(LANES[i]) + '</span>');
    }
    tabs.push('</div>');
    const top = (head) => '<div class="statetop">' + tabs.join('') + head + '</div>';
    if (l < 0 || l >= LANES.length || !stateRows[l].length) {
      $('state').innerHTML = top('<p class="dim">no state recorded for ' + esc(LANES[l] || 'this node') + '</p>');
      return;
    }
    const at = lastAtOrBefore(stateRows[l], cur);
    let note = '';
    if (isDown(l, cur)) note = '<span class="badge down">down</span> ';
    if (at < 0) {
      $('state').innerHTML = top('<p class="dim">' + note + esc(LANES[l]) + ' has not started by step ' + stepNo(cur) + '</p>');
      return;
    }
    const here = at === cur;
    const prev = here ? lastAtOrBefore(stateRows[l], cur - 1) : -1;
    const n = {c: 0};
    const body = here && prev >= 0 ? diff(rec(at).state, rec(prev).state, true, n, 0) : '<span class="val">' + esc(JSON.stringify(rec(at).state, null, 2)) + '</span>';
    let head = note + '<b>' + esc(LANES[l]) + '</b> after step ' + stepNo(cur) + ': ';
    if (!here) head += 'unchanged since step ' + stepNo(at);
    else if (prev < 0) head += 'its first state';
    else if (n.c === 0) head += 'the step left it as it was after step ' + stepNo(prev);
    else head += '<span id="nchanges">' + n.c + '</span> change' + (n.c === 1 ? '' : 's') + ' since step ' + stepNo(prev);
    const h = [top('<div class="statehead" data-node="' + esc(LANES[l]) + '">' + head + '</div>')];
    h.push('<pre class="json">' + body + '</pre>');
    const box = $('state');
    box.innerHTML = h.join('');
    // Bring the first change into view, as the terminal's state pane does.
    const first = box.querySelector('pre.json .chg, pre.json .del');
    box.scrollTop = first ? Math.max(0, first.offsetTop - box.querySelector('.statetop').offsetHeight - box.clientHeight / 4) : 0;
  }

  // The client history, Porcupine style: one row per client, one bar per
  // operation from its invoke to its completion, over the steps around
  // the current one.
  function renderHistory() {
    const box = $('history');
    const width = Math.max(box.clientWidth, 480);
    const top = 24, left = 64;
    const LH = Math.max(12, Math.min(24, Math.floor((window.innerHeight * 0.3 - 40 - top) / Math.max(NC, 1))));
    const height = top + Math.max(NC, 1) * LH + 8;
    const span = N <= 600 ? N : 400;
    let a = Math.max(0, Math.min(cur - span / 2, N - span)), b = a + span;
    const out = ['<svg xmlns="' + SVGNS + '" width="' + width + '" height="' + height + '" class="hist">'];
    // x is the step, or (t) the simulated time, as Porcupine draws it.
    const at = (r) => col(Math.min(Math.max(r, 0), N - 1), C.at);
    const t0 = at(a), t1 = Math.max(at(b), t0 + 1);
    const xs = timeAxis ? (r) => left + (at(r) - t0) / (t1 - t0) * (width - left - 12)
      : (r) => left + (r - a) / span * (width - left - 12);
    const nice = (range) => {
      const tick = Math.max(1, Math.pow(10, Math.floor(Math.log10(range / 4))));
      return range / tick > 8 ? tick * 5 : tick;
    };
    if (timeAxis) {
      const step = nice(t1 - t0), x = (t) => left + (t - t0) / (t1 - t0) * (width - left - 12);
      for (let t = Math.ceil(t0 / step) * step; t < t1; t += step) {
        out.push(el('line', {x1: x(t), y1: top - 4, x2: x(t), y2: height, class: 'grid'}));
        out.push(el('text', {x: x(t), y: 14, class: 'tick', 'text-anchor': 'middle'}, fmtTime(t).replace(/(\.\d*?)0+ /, '$1 ').replace('. ', ' ')));
      }
    } else {
      const step = nice(span);
      for (let t = Math.ceil(a / step) * step; t < b; t += step) {
        out.push(el('line', {x1: xs(t), y1: top - 4, x2: xs(t), y2: height, class: 'grid'}));
        out.push(el('text', {x: xs(t), y: 14, class: 'tick', 'text-anchor': 'middle'}, stepNo(t)));
      }
    }
    for (let c = 0; c < NC; c++) {
      out.push(el('text', {x: 8, y: top + c * LH + LH / 2 + 4, class: 'cname'}, LANES[c]));
    }
    const anyWitness = WIT.length > 0;
    for (let i = 0; i < NOPS; i++) {
      const o = i * OW, inv = OPS[o + O.invoke], comp = OPS[o + O.complete];
      const stop = comp < 0 ? N - 1 : comp;
      if (stop < a || inv > b) continue;
      const lane = LANES.indexOf('c' + OPS[o + O.client]);
      if (lane < 0) continue;
      const x1 = Math.max(xs(inv), left - 4), x2 = Math.min(Math.max(xs(stop), x1 + 3), width - 4), yy = top + lane * LH + 3;
      const st = STATUS[OPS[o + O.status]], w = OPS[o + O.witness];
      let cls = 'op ' + st + (w === 2 ? ' failed' : w === 1 ? ' named' : anyWitness ? ' faded' : '') + (cur >= inv && cur <= stop ? ' live' : '');
      out.push('<g class="' + cls + '" data-row="' + inv + '" data-op="' + i + '">');
      out.push(el('rect', {x: x1, y: yy, width: x2 - x1, height: LH - 5, rx: Math.min(3, LH / 5)}));
      const label = M.labels[OPS[o + O.label]];
      const room = Math.floor((x2 - x1 - 6) / 6.2);
      if (room >= 3 && LH >= 16) out.push(el('text', {x: x1 + 4, y: yy + LH / 2 + 1}, clip(label, room)));
      out.push(el('title', {}, LANES[lane] + ' ' + label + ' (' + st + ', steps ' + stepNo(inv) + '–' + (comp < 0 ? '…' : stepNo(comp)) + ')'));
      out.push('</g>');
    }
    out.push(el('line', {x1: xs(cur), y1: top - 6, x2: xs(cur), y2: height, class: 'cursor'}));
    out.push('</svg>');
    box.innerHTML = '<div class="histhead">client history <span class="dim">(' + (timeAxis ? fmtTime(t0) + '–' + fmtTime(t1) + ' simulated; <kbd>t</kbd>: by step' :
      'steps ' + stepNo(a) + '–' + stepNo(Math.min(b, N - 1)) + '; <kbd>t</kbd>: by time') +
      '; green ok, red fail, amber unknown, grey open' + (anyWitness ? '; outlined: the failing verdict’s witness' : '') + ')</span></div>' + out.join('');
  }

  function renderBar() {
    $('slider').max = N - 1;
    $('slider').value = cur;
    $('pos').innerHTML = 'step <b>' + stepNo(cur) + '</b> <span class="dim">(' + (cur + 1) + ' of ' + N + ') · ' + fmtTime(col(cur, C.at)) + '</span>';
    $('prompt').textContent = prompt !== null ? prompt + promptText + '▏' : '';
    $('status').textContent = status;
  }

  function render() {
    document.body.dataset.step = stepNo(cur);
    document.body.dataset.row = cur;
    renderBar();
    renderDiagram();
    renderDetail();
    renderState();
    renderHistory();
  }

  function renderHeader() {
    const run = M.run || {};
    const bits = [];
    if (run.run) bits.push('run <b>' + esc(run.run) + '</b>');
    if (run.seed !== undefined) bits.push('seed ' + esc(run.seed));
    if (run.faults && run.faults.length) bits.push(run.faults.length + ' fault' + (run.faults.length === 1 ? '' : 's'));
    bits.push(N + ' steps');
    if (M.other_runs) bits.push('<span class="warn">the input has ' + (M.other_runs + 1) + ' runs: this is the first</span>');
    const last = rec(N - 1);
    if (last.type === 'end') bits.push('end: ' + esc(last.reason));
    $('runinfo').innerHTML = bits.join(' · ');
    const vs = [];
    for (const v of M.verdicts) {
      const bad = v.valid === false, unknown = v.valid === 'unknown';
      const explain = [];
      (function walk(x) {
        if (x && typeof x === 'object') for (const key in x) { if (key === 'explanation' && typeof x[key] === 'string') explain.push(x[key]); else walk(x[key]); }
      })(v.witness);
      vs.push('<div class="verdict ' + (bad ? 'bad' : unknown ? 'unknown' : 'good') + '"><b>' + esc(v.checker || 'verdict') + (v.model ? ' ' + esc(v.model) : '') +
        (v.formula ? ' <code>' + esc(v.formula) + '</code>' : '') + ': ' +
        (bad ? esc(v.anomaly || 'violation') : unknown ? 'unknown' + (v.anomaly ? ' (' + esc(v.anomaly) + ')' : '') : 'holds') + '</b>' +
        (explain.length ? ' — ' + explain.map(esc).join('; ') : '') + '</div>');
    }
    if (WIT.length) {
      const bad = M.verdicts.filter((v) => v.valid === false).length;
      vs.push('<div class="verdict bad hint"><kbd>w</kbd> <kbd>W</kbd> walk the ' + WIT.length + ' steps ' + (bad > 1 ? 'these witnesses name' : 'the witness names') +
        '; outlined in the history: its operations</div>');
    }
    $('verdicts').innerHTML = vs.join('');
  }

  // Events.
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.target === $('slider') && e.key.startsWith('Arrow')) return;
    if (press(e.key) !== false) e.preventDefault();
  });
  $('slider').addEventListener('input', () => go(Number($('slider').value)));
  $('prev').addEventListener('click', () => go(cur - 1));
  $('next').addEventListener('click', () => go(cur + 1));
  $('helpbtn').addEventListener('click', () => { $('help').hidden = !$('help').hidden; });
  $('help').addEventListener('click', () => { $('help').hidden = true; });
  const clickRow = (e) => {
    const g = e.target.closest('[data-row]');
    if (g) go(Number(g.dataset.row));
  };
  // A click anywhere on a row of the diagram, arrows and lanes included.
  $('diagram').addEventListener('click', (e) => {
    const y = e.clientY - $('diagram').getBoundingClientRect().top;
    if (y >= HEAD) go(drawnFrom + Math.floor((y - HEAD) / ROW));
  });
  $('history').addEventListener('click', clickRow);
  $('state').addEventListener('click', (e) => {
    const t = e.target.closest('[data-lane]');
    if (t) { pinned = Number(t.dataset.lane); render(); }
  });
  let wheel = 0;
  $('diagram').addEventListener('wheel', (e) => {
    e.preventDefault();
    wheel += e.deltaY;
    const n = Math.trunc(wheel / 40);
    if (n) { wheel -= n * 40; go(cur + n); }
  }, {passive: false});
  window.addEventListener('resize', render);

  // The address can open at a step and press keys: #step=40, #keys=jjf
  // (%0A or \n is Enter, {Esc} {Up} {Down} {Left} {Right} {PageUp} {PageDown} name the others).
  function fromAddress() {
    const h = decodeURIComponent(location.hash.slice(1));
    const m = /(?:^|&)step=(\d+)/.exec(h);
    if (m) cur = rowOfStep(Number(m[1]));
    const k = /(?:^|&)keys=([\s\S]*)$/.exec(h);
    if (!k) return;
    const names = {Esc: 'Escape', Enter: 'Enter', Up: 'ArrowUp', Down: 'ArrowDown', Left: 'ArrowLeft', Right: 'ArrowRight', PageUp: 'PageUp', PageDown: 'PageDown', Backspace: 'Backspace'};
    const keys = k[1];
    for (let i = 0; i < keys.length; i++) {
      const ch = keys[i];
      const close = ch === '{' ? keys.indexOf('}', i) : -1;
      if (close > i && names[keys.slice(i + 1, close)]) { press(names[keys.slice(i + 1, close)]); i = close; continue; }
      press(ch === '\n' || ch === '\r' ? 'Enter' : ch);
    }
  }

  renderHeader();
  fromAddress();
  render();
  // How long the page took to read the trace and draw: for people who
  // wonder, and for the tests.
  document.body.dataset.readyMs = Math.round(performance.now() - t0);
})();
