// Live tail of one add-on's logs, over the consumer's public SSE endpoint (fetch-based reader, so the viewer token
// travels in the Authorization header, never in a URL). Resumes after any drop with the cursor of the last line
// received (Last-Event-ID), which the server turns into "strictly after that line": no gap, no duplicate.
(() => {
  'use strict';

  const params = new URLSearchParams(location.search);
  const fragment = new URLSearchParams(location.hash.slice(1));
  const MAX_LINES = bounded(params.get('max'), 2000, 100, 50000);   // lines kept in the DOM
  const MAX_HELD = bounded(params.get('hold'), 10000, 10, 100000);  // lines held while paused
  const STALL_MS = 15000;  // nothing at all (heartbeats come every 2 s) for this long: the connection is dead
  const SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];

  const $ = (id) => document.getElementById(id);
  const ui = {
    form: $('target'), owner: $('owner'), addon: $('addon'), token: $('token'), filter: $('filter'),
    severity: $('severity'), pause: $('pause'), held: $('held'), state: $('state'), error: $('error'),
    log: $('log'), lines: $('lines'), trimmed: $('trimmed'), jump: $('jump'),
  };

  let target = null;        // {owner, addon, token}
  let session = 0;          // each (re)start of the stream loop; an older loop stops when it sees a newer one
  let controller = null;    // aborts the current fetch
  let cursor = null;        // id of the last line received, shown or held
  let seen = new Map();     // partition -> next offset, from the cursors received
  let paused = false;
  let held = [];
  let stoppedWhilePaused = false;
  let pending = [];         // received, waiting for the next animation frame
  let frameRequested = false;
  let stick = true;         // follow the newest line unless the user scrolled up
  let unseen = 0;
  let trimmedCount = 0;

  function bounded(raw, fallback, min, max) {
    const n = Number.parseInt(raw ?? '', 10);
    return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : fallback;
  }

  function setState(state, text) {
    ui.state.dataset.state = state;
    ui.state.textContent = text ?? state;
  }

  function showError(text) {
    ui.error.textContent = text;
    ui.error.hidden = !text;
  }

  function describe(status, body) {
    const reason = body && body.error ? body.error : '';
    switch (status) {
      case 401: return `The viewer token was refused${reason ? ` (${reason})` : ''}. Get a fresh token and connect again.`;
      case 403: return `This viewer token does not give access to add-on ${target.addon} of ${target.owner}.`;
      case 404: return `There is no add-on ${target.addon} for owner ${target.owner} (or it has no log token yet).`;
      case 400: return `The tail request was refused: ${reason || 'bad request'}.`;
      default: return `The log service answered ${status}${reason ? `: ${reason}` : ''}. Retrying…`;
    }
  }

  // ---- cursors: "p:o,p:o", for each partition the offset of the next line ----

  function parseCursor(id) {
    return id.split(',').map((pair) => pair.split(':').map(Number));
  }

  /** True if this cursor moves past what was already received (a new line), and remembers it. */
  function advance(id) {
    let fresh = false;
    for (const [partition, next] of parseCursor(id)) {
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
    run(session);
  }

  async function run(mine) {
    let retryMs = 500;
    let attempt = 0;
    while (mine === session) {
      setState(attempt++ === 0 && cursor === null ? 'connecting' : 'reconnecting');
      const outcome = await stream(mine);
      if (mine !== session) return;
      if (outcome === 'ended' || outcome === 'fatal' || outcome === 'held') return;
      if (outcome === 'connected') retryMs = 500;
      setState('reconnecting', `reconnecting in ${(retryMs / 1000).toFixed(1)} s`);
      await new Promise((resolve) => setTimeout(resolve, retryMs));
      retryMs = Math.min(retryMs * 2, 10000);
    }
  }

  /** One connection: 'connected' (it was live, then dropped), 'retry', 'fatal', 'ended' or 'held'. */
  async function stream(mine) {
    const abort = new AbortController();
    controller = abort;
    const headers = { Accept: 'text/event-stream', Authorization: `Bearer ${target.token}` };
    if (cursor) headers['Last-Event-ID'] = cursor;
    const query = ui.filter.value ? `?filter=${encodeURIComponent(ui.filter.value)}` : '';
    const url = `/v4/logs/organisations/${encodeURIComponent(target.owner)}/resources/`
      + `${encodeURIComponent(target.addon)}/logs${query}`;
    let response;
    try {
      response = await fetch(url, { headers, signal: abort.signal, cache: 'no-store' });
    } catch (e) {
      return 'retry';
    }
    if (!response.ok) {
      const body = await response.json().catch(() => null);
      showError(describe(response.status, body));
      if (response.status >= 500 || response.status === 429) return 'retry';
      setState('error');
      return 'fatal';
    }
    showError('');
    setState('live');
    let last = Date.now();
    const watchdog = setInterval(() => { if (Date.now() - last > STALL_MS) abort.abort(); }, 1000);
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done || mine !== session) break;
        last = Date.now();
        buffer += decoder.decode(value, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const outcome = dispatch(block);
          if (outcome) return outcome;
        }
      }
    } catch (e) {
      // aborted, or the connection dropped: reconnect from the cursor
    } finally {
      clearInterval(watchdog);
      abort.abort();
    }
    return 'connected';
  }

  function dispatch(block) {
    let event = 'message';
    let id = null;
    const data = [];
    for (const line of block.split('\n')) {
      if (!line || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id') id = value;
    }
    if (event === 'RESOURCE_LOG') return receive(id, JSON.parse(data.join('\n')));
    if (event === 'END_OF_STREAM') {
      setState('ended', 'ended by the server');
      return 'ended';
    }
    return null;
  }

  function receive(id, line) {
    if (id !== null) {
      if (!advance(id)) return null;  // already received (cannot happen with exact resume; costs nothing)
      cursor = id;
    }
    if (!paused) {
      queue([line]);
      return null;
    }
    held.push(line);
    showHeld();
    if (held.length >= MAX_HELD) {
      // Stop reading rather than drop: on resume the stream continues from the cursor of the last held line.
      stoppedWhilePaused = true;
      setState('paused', 'paused: stream stopped, resumes from its cursor');
      return 'held';
    }
    return null;
  }

  // ---- rendering ----

  function queue(lines) {
    pending.push(...lines);
    if (pending.length > MAX_LINES) {  // a hidden tab gets no frames: keep only what could be shown
      trimmedCount += pending.length - MAX_LINES;
      pending = pending.slice(pending.length - MAX_LINES);
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
    const minimum = Number(ui.severity.value);
    for (const line of lines) fragment.appendChild(row(line, minimum));
    ui.lines.appendChild(fragment);
    while (ui.lines.childElementCount > MAX_LINES) {
      ui.lines.firstElementChild.remove();
      trimmedCount += 1;
    }
    ui.trimmed.hidden = trimmedCount === 0;
    ui.trimmed.textContent = `${trimmedCount} older line${trimmedCount === 1 ? '' : 's'} removed from view `
      + `(the page keeps the last ${MAX_LINES})`;
    if (stick) {
      ui.log.scrollTop = ui.log.scrollHeight;
    } else {
      unseen += lines.length;
      ui.jump.textContent = `↓ ${unseen} new line${unseen === 1 ? '' : 's'}`;
      ui.jump.hidden = false;
    }
  }

  function row(line, minimum) {
    const severity = SEVERITIES.includes(line.severity) ? line.severity : 'info';
    const div = document.createElement('div');
    div.className = `line sev-${severity}`;
    div.dataset.id = line.id ?? '';
    div.dataset.rank = String(SEVERITIES.indexOf(severity));
    if (Number(div.dataset.rank) > minimum) div.classList.add('hidden');
    const time = document.createElement('time');
    const date = new Date(line.date);
    time.dateTime = line.date;
    time.textContent = localTime(date);
    time.title = `${line.date.replace('T', ' ').replace('Z', '')} UTC`;
    const sev = span('sev', severity);
    const source = span('src', [line.hostname, line.service ?? line.instanceId].filter(Boolean).join(' '));
    const message = span('msg', line.message ?? '');
    div.append(time, sev, source, message);
    return div;
  }

  function span(className, text) {
    const s = document.createElement('span');
    s.className = className;
    s.textContent = text;
    return s;
  }

  function localTime(date) {
    const pad = (n, w = 2) => String(n).padStart(w, '0');
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} `
      + `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
  }

  function showHeld() {
    ui.held.hidden = !paused;
    ui.held.dataset.count = String(held.length);
    ui.held.textContent = `paused · ${held.length} line${held.length === 1 ? '' : 's'} waiting`
      + (held.length >= MAX_HELD ? ' (more on resume)' : '');
  }

  // ---- controls ----

  ui.form.addEventListener('submit', (e) => {
    e.preventDefault();
    connect(ui.owner.value.trim(), ui.addon.value.trim(), ui.token.value.trim());
  });

  function connect(owner, addon, token) {
    target = { owner, addon, token };
    cursor = null;
    seen = new Map();
    held = [];
    pending = [];
    paused = false;
    stoppedWhilePaused = false;
    trimmedCount = 0;
    ui.lines.replaceChildren();
    ui.trimmed.hidden = true;
    ui.pause.disabled = false;
    ui.pause.textContent = 'Pause';
    showHeld();
    showError('');
    const url = new URL(location.href);
    url.search = new URLSearchParams({ owner, addon }).toString();
    url.hash = '';  // the token stays out of the address bar and the history
    history.replaceState(null, '', url);
    start();
  }

  ui.pause.addEventListener('click', () => {
    paused = !paused;
    ui.pause.textContent = paused ? 'Resume' : 'Pause';
    if (!paused) {
      const lines = held;
      held = [];
      queue(lines);
      if (stoppedWhilePaused) {
        stoppedWhilePaused = false;
        start();
      }
    }
    showHeld();
  });

  // The text filter runs on the server: reconnect from the cursor with the new filter.
  let filterTimer = null;
  ui.filter.addEventListener('input', () => {
    clearTimeout(filterTimer);
    filterTimer = setTimeout(() => { if (target) start(); }, 400);
  });

  ui.severity.addEventListener('change', () => {
    const minimum = Number(ui.severity.value);
    for (const line of ui.lines.children) line.classList.toggle('hidden', Number(line.dataset.rank) > minimum);
  });

  ui.log.addEventListener('scroll', () => {
    stick = ui.log.scrollTop + ui.log.clientHeight >= ui.log.scrollHeight - 8;
    if (stick) {
      unseen = 0;
      ui.jump.hidden = true;
    }
  });

  ui.jump.addEventListener('click', () => {
    ui.log.scrollTop = ui.log.scrollHeight;
  });

  // ---- start from the URL: ?owner=…&addon=…#token=… (token also accepted in the query, then removed) ----

  ui.owner.value = params.get('owner') ?? '';
  ui.addon.value = params.get('addon') ?? '';
  ui.token.value = fragment.get('token') ?? params.get('token') ?? '';
  ui.filter.value = params.get('filter') ?? '';
  if (params.get('severity') && SEVERITIES.includes(params.get('severity'))) {
    ui.severity.value = String(Math.max(3, SEVERITIES.indexOf(params.get('severity'))));
  }
  if (ui.owner.value && ui.addon.value && ui.token.value) {
    connect(ui.owner.value, ui.addon.value, ui.token.value);
  }

  // Opening the same page with another #token=… does not reload it: connect with the new token.
  window.addEventListener('hashchange', () => {
    const token = new URLSearchParams(location.hash.slice(1)).get('token');
    if (token && ui.owner.value && ui.addon.value) {
      ui.token.value = token;
      connect(ui.owner.value.trim(), ui.addon.value.trim(), token);
    }
  });
})();
