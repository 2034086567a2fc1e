// Tail of one add-on's logs over the consumer's public SSE endpoint: the last N lines or a time range first, then
// live. The stream is read with fetch() so that the viewer token travels in the Authorization header (EventSource
// cannot send one); the token lives in this tab only (memory and sessionStorage), never in a query string. After
// any drop the page resumes with the cursor of the last line received (Last-Event-ID): no gap, no duplicate.

import { readEvents } from './sse.js';
import { emptyWords, filterCount, fromUrl, startWords, tailUrl, toSearch } from './query.js';
import { formatTime, lineText, row, setTime, toggleFold, zoneLabel } from './view.js';

const STALL_MS = 15000;        // nothing at all (heartbeats come every 2 s) for this long: the connection is dead
const FIRST_RETRY_MS = 500;
const LAST_RETRY_MS = 15000;
const TOKEN_KEY = 'addon-logs-viewer-token';

const $ = (id) => document.getElementById(id);
const ui = Object.fromEntries(['top', 'target-label', 'state', 'retry', 'pause', 'toggle', 'controls', 'target',
  'owner', 'addon', 'token', 'query', 'start', 'tail-field', 'tail', 'range-fields', 'since', 'until', 'filter',
  'severity', 'service', 'instance', 'hostname', 'download', 'error', 'tz', 'log', 'trimmed', 'lines', 'empty',
  'hidden-count', 'jump', 'toast'].map((id) => [id.replace(/-(\w)/g, (m, c) => c.toUpperCase()), $(id)]));

let q = fromUrl(location.search);
let token = '';
let session = 0;          // each (re)start of the stream loop; an older loop stops when it sees a newer one
let controller = null;    // aborts the current fetch
let cursor = null;        // id of the last line received, shown or held
let seen = new Map();     // partition -> next offset, from the cursors received
let connection = 'idle';  // idle, connecting, loading, live, reconnecting, ended, error
let stateDetail = '';
let retryNow = null;      // ends the wait before a reconnection
let paused = false;
let held = [];
let stoppedWhilePaused = false;
let pending = [];         // received, waiting for the next animation frame
let frameRequested = false;
let stick = true;         // follow the newest line unless the user scrolled up
let unseen = 0;
let trimmedCount = 0;
// Lines the filters hid, as the server counts them (HIDDEN events, counted from each stream's start): what earlier
// streams counted up to the cursor a later one resumed from, the current stream's count, and that count as of the
// last line received (the server tells it before each line shown, so this is exact and nothing is counted twice).
let hiddenBefore = 0;
let hiddenNow = 0;
let hiddenAtCursor = 0;
const shown = new WeakMap();  // row -> line, for copy and download

// ---- state shown in the header: one row whatever the state, so the header never changes height ----

function setConnection(state, detail = '') {
  connection = state;
  stateDetail = detail;
  render();
}

function render() {
  const waiting = `${held.length} waiting${held.length >= q.hold ? ' (more on resume)' : ''}`;
  ui.state.dataset.state = paused ? 'paused' : connection;
  ui.state.dataset.held = String(held.length);
  const words = stateDetail || { loading: 'loading history' }[connection] || connection;
  ui.state.textContent = paused ? `paused · ${waiting}${connection === 'live' ? '' : ` · ${words}`}` : words;
  ui.retry.hidden = retryNow === null;
  ui.pause.textContent = paused ? 'Resume' : 'Pause';
  ui.pause.setAttribute('aria-pressed', String(paused));
  ui.pause.disabled = connection === 'idle';
  ui.download.disabled = ui.lines.childElementCount === 0;
  ui.targetLabel.textContent = q.owner && q.addon ? `${q.addon} · ${q.owner}` : '';
  const count = filterCount(q);
  ui.toggle.textContent = count ? `Filters (${count})` : 'Filters';
  ui.trimmed.hidden = trimmedCount === 0;
  ui.trimmed.textContent = `${trimmedCount} older line${trimmedCount === 1 ? '' : 's'} removed from view `
    + `(the page keeps the last ${q.max})`;
  const hidden = hiddenBefore + hiddenNow;
  ui.hiddenCount.hidden = hidden === 0;
  ui.hiddenCount.textContent = `${hidden} line${hidden === 1 ? '' : 's'} hidden by the filters`;
  renderEmpty();
}

/** Says why the pane is empty: what to fill in, what is loading, or that nothing matched and lines will show. */
function renderEmpty() {
  const nothing = ui.lines.childElementCount === 0 && pending.length === 0;
  let text = '';
  if (!q.owner || !q.addon) {
    text = 'To tail an add-on, fill in its owner id, its add-on id and a viewer token above, or open a link '
      + 'like /dashboard/?owner=orga_…&addon=addon_…#token=… (the token stays in this tab: it never goes into '
      + 'the address bar or a server log).';
  } else if (!token) {
    text = `Paste a viewer token for ${q.addon} above to connect (it stays in this tab).`;
  } else if (!nothing || connection === 'error' || paused) {
    text = '';
  } else if (connection === 'connecting' || connection === 'loading') {
    text = `Loading ${startWords(q)}…`;
  } else if (connection === 'ended') {
    text = `${emptyWords(q, when)}.`;
  } else {
    text = `${emptyWords(q, when)}; waiting for new ones.`;
  }
  ui.empty.textContent = text;
  ui.empty.hidden = !text;
}

function when(iso) {
  return `${formatTime(iso, q.utc)} (${zoneLabel(q.utc, new Date(iso))})`;
}

function showError(text) {
  ui.error.textContent = text;
  ui.error.hidden = !text;
}

function describe(status, body) {
  const reason = body && body.error ? body.error : '';
  switch (status) {
    case 401: return `The viewer token was refused${reason ? ` (${reason})` : ''}. Get a fresh token and connect again.`;
    case 403: return `This viewer token does not give access to add-on ${q.addon} of ${q.owner}.`;
    case 404: return `There is no add-on ${q.addon} for owner ${q.owner} (or it has no log token yet).`;
    case 400: return `The tail request was refused: ${reason || 'bad request'}.`;
    case 429: return `Too many tails open for this viewer${reason ? ` (${reason})` : ''}. Retrying…`;
    default: return `The log service answered ${status}${reason ? `: ${reason}` : ''}. Retrying…`;
  }
}

// ---- cursors: "p:o,p:o", for each partition the offset of the next line ----

/** True if this cursor moves past what was already received (a new line), and remembers it. */
function advance(id) {
  let fresh = false;
  for (const [partition, next] of id.split(',').map((pair) => pair.split(':').map(Number))) {
    if (next > (seen.get(partition) ?? -1)) {
      seen.set(partition, next);
      fresh = true;
    }
  }
  return fresh;
}

// ---- the stream ----

function start() {
  session += 1;
  if (controller) controller.abort();
  if (retryNow) retryNow();
  run(session);
}

async function run(mine) {
  let retryMs = FIRST_RETRY_MS;
  let first = true;
  while (mine === session) {
    setConnection(first && cursor === null ? 'connecting' : 'reconnecting', first ? '' : 'reconnecting now');
    first = false;
    const outcome = await stream(mine);
    if (mine !== session) return;
    if (outcome.end) return;
    if (outcome.connected) retryMs = FIRST_RETRY_MS;
    await countdown(mine, Math.max(retryMs, outcome.retryAfterMs ?? 0));
    retryMs = Math.min(retryMs * 2, LAST_RETRY_MS);
  }
}

/** Waits ms before the next attempt, counting down in the header; "Retry now" ends the wait. */
function countdown(mine, ms) {
  return new Promise((resolve) => {
    const until = Date.now() + ms;
    let timer = null;
    const done = () => {
      clearInterval(timer);
      retryNow = null;
      resolve();
    };
    const tick = () => {
      const left = until - Date.now();
      if (mine !== session || left <= 0) done();
      else setConnection('reconnecting', `reconnecting in ${Math.ceil(left / 1000)} s`);
    };
    retryNow = done;
    timer = setInterval(tick, 200);
    tick();
  });
}

/** One connection: {connected} (it was up, then dropped), {} (retry), or {end} (fatal, ended, held). */
async function stream(mine) {
  hiddenBefore += hiddenAtCursor;
  hiddenNow = 0;
  hiddenAtCursor = 0;
  const abort = new AbortController();
  controller = abort;
  const headers = { Accept: 'text/event-stream', Authorization: `Bearer ${token}` };
  if (cursor) headers['Last-Event-ID'] = cursor;
  let response;
  try {
    response = await fetch(tailUrl(q, cursor !== null), { headers, signal: abort.signal, cache: 'no-store' });
  } catch (e) {
    return {};
  }
  if (mine !== session) return { end: true };
  if (!response.ok) {
    const body = await response.json().catch(() => null);
    showError(describe(response.status, body));
    if (response.status >= 500 || response.status === 429) {
      return { retryAfterMs: 1000 * (Number(response.headers.get('Retry-After')) || 0) };
    }
    setConnection('error');
    return { end: true };
  }
  showError('');
  setConnection(cursor === null ? 'loading' : 'live');
  let heartbeats = 0;
  let last = Date.now();
  const watchdog = setInterval(() => { if (Date.now() - last > STALL_MS) abort.abort(); }, 1000);
  try {
    const stop = await readEvents(response.body, (event) => {
      if (mine !== session) return 'stale';
      if (event.event === 'RESOURCE_LOG') return receive(event.id, JSON.parse(event.data));
      if (event.event === 'HIDDEN') {
        hiddenNow = JSON.parse(event.data).hidden;
        render();
        return null;
      }
      if (event.event === 'HEARTBEAT') {
        // The server sends one heartbeat with the headers, the next after 2 s: by then the history it had to
        // send is on its way or here, so an empty pane is really empty.
        heartbeats += 1;
        if (heartbeats >= 2 && connection === 'loading') setConnection('live');
      } else if (event.event === 'END_OF_STREAM') {
        ended(JSON.parse(event.data || '{}').endedBy);
        return 'ended';
      }
      return null;
    }, () => { last = Date.now(); });
    if (stop) return { end: true };
  } catch (e) {
    // aborted, or the connection dropped: reconnect from the cursor
  } finally {
    clearInterval(watchdog);
    abort.abort();
  }
  return { connected: true };
}

function ended(reason) {
  const words = {
    UNTIL_REACHED: 'range complete',
    LIMIT_REACHED: 'limit reached',
    TOKEN_EXPIRED: 'token expired',
  };
  if (reason === 'TOKEN_EXPIRED') showError('The viewer token expired. Get a fresh token and connect again.');
  setConnection('ended', words[reason] ?? 'ended by the server');
}

function receive(id, line) {
  if (id !== null) {
    if (!advance(id)) return null;  // already received (cannot happen with exact resume; costs nothing)
    cursor = id;
    hiddenAtCursor = hiddenNow;
  }
  if (!paused) {
    queue([line]);
    return null;
  }
  held.push(line);
  if (held.length >= q.hold) {
    // Stop reading rather than drop: on resume the stream continues from the cursor of the last held line.
    stoppedWhilePaused = true;
    setConnection('ended', 'stream stopped, resumes from its cursor');
    return 'held';
  }
  render();
  return null;
}

// ---- rendering ----

function queue(lines) {
  pending.push(...lines);
  if (pending.length > q.max) {  // a hidden tab gets no frames: keep only what could be shown
    trimmedCount += pending.length - q.max;
    pending = pending.slice(pending.length - q.max);
  }
  if (!frameRequested) {
    frameRequested = true;
    requestAnimationFrame(flush);
  }
}

function flush() {
  frameRequested = false;
  const lines = pending;
  pending = [];
  const fragment = document.createDocumentFragment();
  for (const line of lines) {
    const div = row(line, q.filter, q.utc);
    shown.set(div, line);
    fragment.appendChild(div);
  }
  ui.lines.appendChild(fragment);
  while (ui.lines.childElementCount > q.max) {
    ui.lines.firstElementChild.remove();
    trimmedCount += 1;
  }
  render();
  if (stick) {
    ui.log.scrollTop = ui.log.scrollHeight;
  } else if (lines.length > 0) {
    unseen += lines.length;
    ui.jump.textContent = `↓ ${unseen} new line${unseen === 1 ? '' : 's'}`;
    ui.jump.hidden = false;
  }
}

function toBottom() {
  ui.log.scrollTop = ui.log.scrollHeight;
  stick = true;
  unseen = 0;
  ui.jump.hidden = true;
}

let toastTimer = null;
function toast(text) {
  ui.toast.textContent = text;
  ui.toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { ui.toast.hidden = true; }, 2500);
}

// ---- the view: the query from the controls, the address bar from the query ----

function readControls() {
  const local = (value) => (value ? new Date(value).toISOString() : '');
  q = {
    ...q,
    owner: ui.owner.value.trim(),
    addon: ui.addon.value.trim(),
    start: ui.start.value,
    tail: Math.min(10000, Math.max(1, Number.parseInt(ui.tail.value, 10) || 200)),
    since: local(ui.since.value),
    until: local(ui.until.value),
    filter: ui.filter.value,
    severity: ui.severity.value,
    service: ui.service.value.trim(),
    instanceId: ui.instance.value.trim(),
    hostname: ui.hostname.value.trim(),
  };
}

function writeControls() {
  const local = (iso) => {
    if (!iso) return '';
    const d = new Date(iso);
    return new Date(d.getTime() - d.getTimezoneOffset() * 60e3).toISOString().slice(0, 23);
  };
  ui.owner.value = q.owner;
  ui.addon.value = q.addon;
  ui.start.value = q.start;
  ui.tail.value = String(q.tail);
  ui.since.value = local(q.since);
  ui.until.value = local(q.until);
  ui.filter.value = q.filter;
  ui.severity.value = q.severity;
  ui.service.value = q.service;
  ui.instance.value = q.instanceId;
  ui.hostname.value = q.hostname;
  showStartFields();
  showZone();
}

function showStartFields() {
  ui.tailField.hidden = ui.start.value !== 'lines';
  ui.rangeFields.hidden = ui.start.value !== 'range';
}

function showZone() {
  ui.tz.textContent = `Time · ${zoneLabel(q.utc)}`;
  ui.tz.setAttribute('aria-pressed', String(q.utc));
}

/** The address bar shows the view, so that a link shares it; never the token (it has no place in a URL). */
function writeUrl() {
  const search = toSearch(q);
  history.replaceState(null, '', `${location.pathname}${search ? `?${search}` : ''}`);
}

/** Starts over from the chosen start with the current query: the server re-runs it over history, then live. */
function apply() {
  readControls();
  writeUrl();
  cursor = null;
  seen = new Map();
  held = [];
  pending = [];
  paused = false;
  stoppedWhilePaused = false;
  trimmedCount = 0;
  hiddenBefore = 0;
  hiddenNow = 0;
  hiddenAtCursor = 0;
  unseen = 0;
  stick = true;
  ui.jump.hidden = true;
  ui.lines.replaceChildren();
  showError('');
  if (!q.owner || !q.addon || !token) {
    session += 1;
    if (controller) controller.abort();
    setConnection('idle');
    openControls(true);
    return;
  }
  if (matchMedia('(max-width: 719px)').matches) openControls(false);
  start();
}

function openControls(open) {
  if (open) ui.controls.dataset.open = '';
  else delete ui.controls.dataset.open;
  ui.toggle.setAttribute('aria-expanded', String(open));
}

function togglePause() {
  if (connection === 'idle') return;
  paused = !paused;
  if (!paused) {
    const lines = held;
    held = [];
    queue(lines);
    if (stoppedWhilePaused) {
      stoppedWhilePaused = false;
      start();
    }
  }
  render();
}

function copy(text) {
  const fallback = () => {
    const area = document.createElement('textarea');
    area.value = text;
    document.body.append(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  };
  const written = navigator.clipboard && window.isSecureContext
    ? navigator.clipboard.writeText(text).then(() => true, fallback)
    : Promise.resolve(fallback());
  written.then((ok) => toast(ok ? 'Line copied' : 'Could not copy: select the line and copy it'));
}

function download() {
  const rows = [...ui.lines.children].map((div) => shown.get(div)).filter(Boolean);
  const blob = new Blob([rows.map(lineText).join('\n') + '\n'], { type: 'text/plain;charset=utf-8' });
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = `${q.addon || 'logs'}-${new Date().toISOString().replace(/[:.]/g, '-')}.txt`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  toast(`Downloading ${rows.length} line${rows.length === 1 ? '' : 's'}`);
}

// ---- controls ----

ui.target.addEventListener('submit', (e) => {
  e.preventDefault();
  token = ui.token.value.trim();
  sessionStorage.setItem(TOKEN_KEY, token);
  apply();
});
ui.query.addEventListener('submit', (e) => {
  e.preventDefault();
  apply();
});
let typing = null;
ui.query.addEventListener('input', (e) => {
  if (e.target.tagName !== 'INPUT') return;
  clearTimeout(typing);
  typing = setTimeout(apply, 500);  // as one types: once they pause
});
ui.query.addEventListener('change', (e) => {
  showStartFields();
  if (e.target === ui.start && ui.start.value === 'range' && !ui.since.value) {
    ui.since.focus();  // a range starts somewhere: wait for it
  } else if (e.target.tagName === 'SELECT') {
    apply();
  }
});
ui.pause.addEventListener('click', togglePause);
ui.retry.addEventListener('click', () => { if (retryNow) retryNow(); });
ui.toggle.addEventListener('click', () => openControls(!('open' in ui.controls.dataset)));
ui.download.addEventListener('click', download);
ui.tz.addEventListener('click', () => {
  q = { ...q, utc: !q.utc };
  for (const time of ui.lines.querySelectorAll('time')) setTime(time, q.utc);
  showZone();
  writeUrl();
  render();
});
ui.lines.addEventListener('click', (e) => {
  const div = e.target.closest('.line');
  if (!div) return;
  if (e.target.closest('.copy')) copy(lineText(shown.get(div)));
  else if (e.target.closest('.fold') || (e.target.closest('.msg.folded'))) toggleFold(div);
});
ui.log.addEventListener('scroll', () => {
  stick = ui.log.scrollTop + ui.log.clientHeight >= ui.log.scrollHeight - 8;
  if (stick) {
    unseen = 0;
    ui.jump.hidden = true;
  }
});
ui.jump.addEventListener('click', toBottom);

document.addEventListener('keydown', (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  if (e.target.closest('input, select, textarea')) {
    if (e.key === 'Escape') e.target.blur();
    return;
  }
  if (e.key === ' ' && e.target.closest('button')) return;  // Space presses the focused button
  if (e.key === ' ' || e.key === 'p') {
    e.preventDefault();
    togglePause();
  } else if (e.key === '/') {
    e.preventDefault();
    openControls(true);
    ui.filter.focus();
  } else if (e.key === 'End' || e.key === 'G') {
    e.preventDefault();
    toBottom();
  }
});

// ---- start: ?owner=…&addon=…&…#token=… ----

function takeToken() {
  const fromFragment = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromFragment) {
    token = fromFragment;
    sessionStorage.setItem(TOKEN_KEY, token);
  } else {
    token = sessionStorage.getItem(TOKEN_KEY) ?? '';
  }
  ui.token.value = token;
}

const query = new URLSearchParams(location.search);
takeToken();
writeControls();
apply();  // also rewrites the address bar: without the fragment's token, and without a token in the query
if (query.has('token') || query.has('access_token')) {
  showError('A token in the address query is not used (servers and proxies log addresses): it was removed. '
    + 'Use #token=… in the link, or paste the token.');
}

// Opening the same page with another #token=… does not reload it: connect with the new token.
window.addEventListener('hashchange', () => {
  if (!new URLSearchParams(location.hash.slice(1)).get('token')) return;
  takeToken();
  writeUrl();
  apply();
});

// Leaving the page (or the browser keeping it in its back/forward cache) ends the stream: an open stream would hold
// one of the browser's few connections to this host. Coming back from that cache resumes from the cursor.
window.addEventListener('pagehide', () => {
  session += 1;
  if (controller) controller.abort();
  if (retryNow) retryNow();
});
window.addEventListener('pageshow', (e) => {
  if (e.persisted && token && q.owner && q.addon && connection !== 'error' && connection !== 'ended') start();
});
