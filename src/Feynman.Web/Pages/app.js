// Feynman annotation pages: login, labelling, progress. No external code; every /api call carries the token.
'use strict';

const TOKEN_KEY = 'feynman.token';

function token() { return sessionStorage.getItem(TOKEN_KEY); }

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

function pct(v) { return v === null || v === undefined ? '–' : (100 * v).toFixed(1) + '%'; }

// fetch with the bearer token; a 401 means the token is gone or wrong: back to the login page.
async function api(path, options) {
  const o = options || {};
  const headers = { 'Authorization': 'Bearer ' + token() };
  let body;
  if (o.json !== undefined) { headers['Content-Type'] = 'application/json'; body = JSON.stringify(o.json); }
  const r = await fetch(path, { method: o.method || 'GET', headers, body, cache: 'no-store' });
  if (r.status === 401) {
    sessionStorage.removeItem(TOKEN_KEY);
    location.replace('/login?expired=1&next=' + encodeURIComponent(location.pathname));
    throw new Error('not logged in');
  }
  return r;
}

async function errorOf(r) {
  try { return (await r.json()).error || r.statusText; } catch { return r.status + ' ' + r.statusText; }
}

function requireLogin() {
  if (token()) return true;
  location.replace('/login?next=' + encodeURIComponent(location.pathname));
  return false;
}

function commonHeader(status) {
  document.getElementById('who').textContent = 'signed in as ' + status.annotator;
  document.getElementById('logout').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    location.replace('/login');
  });
}

// ---------------------------------------------------------------- login
function loginPage() {
  const form = document.getElementById('login-form');
  const input = document.getElementById('token');
  const error = document.getElementById('login-error');
  const params = new URLSearchParams(location.search);
  if (params.get('expired')) { error.textContent = 'Please log in again.'; error.hidden = false; }
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const t = input.value.trim();
    error.hidden = true;
    if (!t) { error.textContent = 'Paste your token first.'; error.hidden = false; return; }
    let r;
    try {
      r = await fetch('/api/me', { headers: { 'Authorization': 'Bearer ' + t }, cache: 'no-store' });
    } catch (e) {
      error.textContent = 'The server did not answer: ' + e.message; error.hidden = false; return;
    }
    if (r.ok) {
      sessionStorage.setItem(TOKEN_KEY, t);
      const next = params.get('next');
      location.replace(next && next.startsWith('/') && !next.startsWith('//') ? next : '/label');
    } else {
      error.textContent = r.status === 401
        ? 'That token was not accepted. Check it, or ask for a new one (feynman annotators add NAME).'
        : 'Log-in failed: ' + await errorOf(r);
      error.hidden = false;
      input.select();
    }
  });
  document.body.dataset.ready = '1'; // the submit handler is attached: tests and scripts may log in now
}

// ---------------------------------------------------------------- labelling
function labelPage() {
  if (!requireLogin()) return;
  const state = {
    classes: [], kind: 'image', items: [], cur: 0, version: -1, done: 0, chain: Promise.resolve(), refilling: null,
  };
  const $ = (id) => document.getElementById(id);
  const message = (text, isError) => { const m = $('message'); m.textContent = text; m.classList.toggle('error', !!isError); };

  function className(i) { return state.classes[i] !== undefined ? state.classes[i] : String(i); }

  async function image(item) {
    if (!item.img) {
      item.img = api(`/api/items/${item.id}/image.png`).then(async (r) => {
        if (!r.ok) throw new Error(await errorOf(r));
        return URL.createObjectURL(await r.blob());
      });
    }
    return item.img;
  }

  function view(item, big) {
    if (item.kind === 'text') return el('div', { class: big ? 'text-item' : 'text-thumb', text: item.text || '' });
    // Thumbnails carry no alt text: a picture still loading would show it over the strip.
    const img = el('img', { alt: big ? 'item ' + item.id : '', class: big ? 'picture' : 'thumb' });
    image(item).then((url) => { img.src = url; }, (e) => { img.alt = 'no picture: ' + e.message; });
    return img;
  }

  function render() {
    const item = state.items[state.cur];
    const stage = $('item');
    stage.replaceChildren();
    if (!item) {
      stage.append(el('p', { class: 'muted', text: 'Nothing left to label: every item of the pool holds a label.' }));
      $('guess').textContent = '';
    } else {
      stage.append(view(item, true));
      stage.dataset.item = String(item.id);
      const done = item.state === 'labelled' ? ` · you said ${className(item.label)}` : item.state === 'skipped' ? ' · skipped' : '';
      $('guess').replaceChildren(
        el('span', { class: 'muted', text: `item ${item.id} · student says ` }),
        el('strong', { text: className(item.prediction) }),
        el('span', { class: 'muted', text: ` (${pct(item.confidence)} sure)${done}` }));
    }
    const buttons = $('classes').children;
    for (let i = 0; i < buttons.length; i++) {
      buttons[i].classList.toggle('guessed', !!item && item.prediction === i);
      buttons[i].classList.toggle('chosen', !!item && item.state === 'labelled' && item.label === i);
    }
    const q = $('queue');
    q.replaceChildren();
    state.items.forEach((it, i) => {
      const li = el('li', { class: ['q', it.state, i === state.cur ? 'current' : ''].join(' '), 'data-item': String(it.id), title: 'item ' + it.id, onclick: () => { state.cur = i; render(); } },
        view(it, false),
        el('span', { class: 'tag', text: it.state === 'labelled' ? className(it.label) : it.state === 'skipped' ? 'skipped' : className(it.prediction) + ' ?' }));
      q.append(li);
    });
    const cur = q.querySelector('.current');
    if (cur) cur.scrollIntoView({ block: 'nearest' });
    const open = state.items.filter((it) => it.state === 'open').length;
    $('counts').textContent = `· ${state.done} labelled by you here · ${open} open`;
  }

  // Ask for more items when few open ones are left after the current one.
  async function refill(replaceOpen) {
    if (state.refilling) return state.refilling;
    state.refilling = (async () => {
      try {
        const r = await api('/api/queue?n=20');
        if (!r.ok) { message('Queue: ' + await errorOf(r), true); return; }
        const fresh = await r.json();
        if (replaceOpen) {
          // A newer student ranks differently: drop open items after the current one, keep what was done.
          state.items = state.items.filter((it, i) => i <= state.cur || it.state !== 'open');
        }
        const known = new Set(state.items.map((it) => it.id));
        for (const it of fresh) if (!known.has(it.id)) state.items.push({ ...it, state: 'open' });
        if (state.cur >= state.items.length) state.cur = Math.max(0, state.items.length - 1);
        // Ran out while waiting: move on to the first new item.
        if (state.items[state.cur] && state.items[state.cur].state !== 'open' && !replaceOpen) {
          const i = state.items.findIndex((it, j) => j > state.cur && it.state === 'open');
          if (i >= 0) state.cur = i;
        }
        render();
      } finally {
        state.refilling = null;
      }
    })();
    return state.refilling;
  }

  function openAhead() { return state.items.slice(state.cur + 1).filter((it) => it.state === 'open').length; }

  // Keep the page light over a long session: forget all but the last 40 items behind the current one.
  function trim() {
    const drop = state.cur - 40;
    if (drop <= 0) return;
    for (const it of state.items.slice(0, drop)) if (it.img) it.img.then((u) => URL.revokeObjectURL(u), () => {});
    state.items.splice(0, drop);
    state.cur -= drop;
  }

  function advance() {
    for (let i = state.cur + 1; i < state.items.length; i++) {
      if (state.items[i].state === 'open') { state.cur = i; break; }
    }
    trim();
    if (openAhead() < 5) refill(false);
  }

  function move(delta) {
    const to = state.cur + delta;
    if (to >= 0 && to < state.items.length) state.cur = to;
    if (openAhead() < 5) refill(false);
    render();
  }

  // Labels go out one after another, in the order given; the page moves on at once.
  function label(cls) {
    const item = state.items[state.cur];
    if (!item || cls >= state.classes.length) return;
    const previous = { state: item.state, label: item.label };
    item.state = 'labelled'; item.label = cls;
    state.done++;
    advance();
    render();
    state.chain = state.chain.then(async () => {
      try {
        const r = await api('/api/labels', { method: 'POST', json: { item: item.id, label: cls } });
        if (!r.ok) throw new Error(await errorOf(r));
        message(`item ${item.id}: ${className(cls)}`);
      } catch (e) {
        Object.assign(item, previous);
        state.done--;
        message(`item ${item.id} was not stored: ${e.message}`, true);
        render();
      }
    });
  }

  function skip() {
    const item = state.items[state.cur];
    if (!item) return;
    if (item.state === 'open') item.state = 'skipped';
    advance();
    render();
  }

  function undo() {
    state.chain = state.chain.then(async () => {
      try {
        const r = await api('/api/labels/undo', { method: 'POST' });
        if (r.status === 404) { message('Nothing to undo.'); return; }
        if (!r.ok) throw new Error(await errorOf(r));
        const undone = await r.json();
        let i = state.items.findIndex((it) => it.id === undone.item && it.state === 'labelled');
        if (i < 0) i = state.items.findIndex((it) => it.id === undone.item);
        if (i < 0) {
          const d = await api(`/api/items/${undone.item}`);
          if (!d.ok) throw new Error(await errorOf(d));
          i = state.cur;
          state.items.splice(i, 0, { ...(await d.json()), state: 'open' });
        } else {
          state.items[i].state = 'open';
          delete state.items[i].label;
          state.done = Math.max(0, state.done - 1);
        }
        state.cur = i;
        message(`undid ${className(undone.label)} for item ${undone.item} (kept as retracted)`);
        render();
      } catch (e) {
        message('Undo failed: ' + e.message, true);
      }
    });
  }

  document.addEventListener('keydown', (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key >= '0' && ev.key <= '9') { ev.preventDefault(); label(Number(ev.key)); }
    else if (ev.key === 'ArrowRight') { ev.preventDefault(); move(1); }
    else if (ev.key === 'ArrowLeft') { ev.preventDefault(); move(-1); }
    else if (ev.key === 'u' || ev.key === 'Backspace') { ev.preventDefault(); undo(); }
    else if (ev.key === 's') { ev.preventDefault(); skip(); }
  });
  $('prev').addEventListener('click', () => move(-1));
  $('next').addEventListener('click', () => move(1));
  $('skip').addEventListener('click', skip);
  $('undo').addEventListener('click', undo);

  async function status() {
    const r = await api('/api/status');
    if (!r.ok) { message('Status: ' + await errorOf(r), true); return null; }
    const s = await r.json();
    const m = s.model;
    $('model').textContent = `student v${m.version} · trained on ${m.labels} labels · held-out ${pct(m.accuracy)}`
      + (m.retraining ? ' · retraining…' : m.retrainEvery > 0 ? ` · retrains in ${m.labelsUntilRetrain} labels` : '');
    $('model').dataset.version = String(m.version);
    if (state.version >= 0 && m.version !== state.version) { state.version = m.version; await refill(true); }
    state.version = m.version;
    return s;
  }

  (async () => {
    const s = await status();
    if (!s) return;
    commonHeader(s);
    state.classes = s.classes;
    state.kind = s.pool.kind;
    s.classes.forEach((name, i) => {
      $('classes').append(el('button', { class: 'cls', 'data-class': String(i), title: i < 10 ? `key ${i}` : '', onclick: () => label(i) },
        i < 10 ? el('kbd', { text: String(i) }) : null, el('span', { text: name })));
    });
    await refill(false);
    document.body.dataset.ready = '1';
    setInterval(() => { status().catch(() => {}); }, 2000);
  })().catch((e) => message(e.message, true));
}

// ---------------------------------------------------------------- progress
function curveSvg(points) {
  const NS = 'http://www.w3.org/2000/svg';
  const W = 960, H = 300, L = 56, R = 16, T = 16, B = 44;
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('class', 'curve');
  svg.setAttribute('role', 'img');
  const add = (tag, attrs, text) => {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    svg.append(e);
    return e;
  };
  const measured = points.filter((p) => p.accuracy !== null && p.accuracy !== undefined);
  const maxX = Math.max(10, ...points.map((p) => p.labels));
  const x = (v) => L + (W - L - R) * v / maxX;
  const y = (v) => T + (H - T - B) * (1 - v);
  for (let i = 0; i <= 5; i++) {
    const v = i / 5;
    add('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), class: 'grid' });
    add('text', { x: L - 8, y: y(v) + 4, 'text-anchor': 'end', class: 'tick' }, `${Math.round(v * 100)}%`);
  }
  // A round step (1, 2 or 5 times a power of ten) that gives at most 10 ticks.
  const power = Math.pow(10, Math.floor(Math.log10(maxX)));
  const step = [0.1, 0.2, 0.5, 1, 2, 5, 10].map((m) => m * power).find((s) => s >= 1 && maxX / s <= 10);
  for (let v = 0; v <= maxX + 1e-9; v += step) {
    add('line', { x1: x(v), x2: x(v), y1: H - B, y2: H - B + 5, class: 'axis' });
    add('text', { x: x(v), y: H - B + 18, 'text-anchor': 'middle', class: 'tick' }, String(Math.round(v)));
  }
  add('line', { x1: L, x2: W - R, y1: H - B, y2: H - B, class: 'axis' });
  add('line', { x1: L, x2: L, y1: T, y2: H - B, class: 'axis' });
  add('text', { x: (L + W - R) / 2, y: H - 6, 'text-anchor': 'middle', class: 'label' }, 'labels the student learned from');
  if (measured.length === 0) {
    add('text', { x: (L + W) / 2, y: H / 2, 'text-anchor': 'middle', class: 'label' }, 'no held-out accuracy yet');
    return svg;
  }
  add('polyline', { points: measured.map((p) => `${x(p.labels)},${y(p.accuracy)}`).join(' '), class: 'line' });
  for (const p of measured) {
    const c = add('circle', { cx: x(p.labels), cy: y(p.accuracy), r: 4, class: 'dot', 'data-version': p.version });
    const t = document.createElementNS(NS, 'title');
    t.textContent = `v${p.version}: ${p.labels} labels, ${pct(p.accuracy)} held-out, trained in ${p.seconds.toFixed(1)} s`;
    c.append(t);
  }
  const last = measured[measured.length - 1];
  add('text', { x: Math.min(x(last.labels), W - R - 4), y: y(last.accuracy) - 10, 'text-anchor': 'end', class: 'value' }, pct(last.accuracy));
  return svg;
}

function progressPage() {
  if (!requireLogin()) return;
  const $ = (id) => document.getElementById(id);
  let first = true;
  async function refresh() {
    const r = await api('/api/status');
    if (!r.ok) return;
    const s = await r.json();
    if (first) { commonHeader(s); first = false; }
    const m = s.model, st = s.stats;
    const facts = [
      ['version', `v${m.version}`], ['trained on', `${m.labels} labels`], ['held-out accuracy', pct(m.accuracy)],
      ['retraining', m.retraining ? 'now' : m.retrainEvery > 0 ? `every ${m.retrainEvery} labels (next in ${m.labelsUntilRetrain})` : 'off'],
      ['strategy', s.strategy], ['pool', `${s.pool.name} (${s.pool.count} items)`],
      ['labels held', `${st.labels} on ${st.items} items (${st.retracted} undone)`],
    ];
    if (m.error) facts.push(['last error', m.error]);
    $('student').replaceChildren(...facts.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: v })]));
    $('student').dataset.version = String(m.version);
    const curve = $('curve');
    curve.replaceChildren(curveSvg(s.curve));
    curve.dataset.points = String(s.curve.length);
    const max = Math.max(1, ...st.perClass);
    $('per-class').replaceChildren(...st.perClass.map((n, i) => el('tr', {},
      el('th', { text: s.classes[i] }),
      el('td', { class: 'num', text: String(n) }),
      el('td', { class: 'barcell' }, el('meter', { min: '0', max: String(max), value: String(n) })))));
    $('per-annotator').replaceChildren(
      el('tr', {}, el('th', { text: 'annotator' }), el('th', { class: 'num', text: 'labels' }), el('th', { class: 'num', text: 'undone' })),
      ...st.perAnnotator.map((a) => el('tr', { 'data-annotator': a.name }, el('td', { text: a.name }), el('td', { class: 'num', text: String(a.labels) }), el('td', { class: 'num', text: String(a.retracted) }))));
    $('agreement').textContent = st.sharedItems === 0
      ? 'No item has labels from two people yet.'
      : `${st.sharedItems} items labelled by two or more people; all agree on ${st.agreedItems} (${pct(st.agreedItems / st.sharedItems)}).`;
    $('pairs').replaceChildren(...(st.pairs.length === 0 ? [] : [
      el('tr', {}, el('th', { text: 'pair' }), el('th', { class: 'num', text: 'items' }), el('th', { class: 'num', text: 'agree' }), el('th', { class: 'num', text: "Cohen's κ" })),
      ...st.pairs.map((p) => el('tr', {}, el('td', { text: `${p.first} · ${p.second}` }), el('td', { class: 'num', text: String(p.items) }),
        el('td', { class: 'num', text: pct(p.agreement) }), el('td', { class: 'num', text: p.kappa === null ? '–' : p.kappa.toFixed(2) })))]));
    document.body.dataset.ready = '1';
  }
  refresh().catch(() => {});
  setInterval(() => { refresh().catch(() => {}); }, 3000);
}

document.addEventListener('DOMContentLoaded', () => {
  const page = document.body.dataset.page;
  if (page === 'login') loginPage();
  else if (page === 'label') labelPage();
  else if (page === 'progress') progressPage();
});
