// What the viewer asked for, as one plain object: read from the address bar, written back to it (so a link shares
// the view, never the token), and turned into the SSE request. Every filter runs on the server, over history and
// live alike, so the page shows exactly what matches; the server also counts the lines they hid (hiddenCounts).

export const SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];
const STARTS = { '15m': 15 * 60e3, '1h': 60 * 60e3, '24h': 24 * 60 * 60e3 };
const START_WORDS = { '15m': 'in the last 15 minutes', '1h': 'in the last hour', '24h': 'in the last 24 hours' };
const FILTERS = ['filter', 'severity', 'service', 'instanceId', 'hostname'];
const DEFAULTS = { tail: 200, max: 2000, hold: 10000 };
const MAX_TAIL = 10000;  // the consumer's bound on tail=N

/** The query in the address bar; the token is never read from it (see dashboard.js). */
export function fromUrl(search) {
  const p = new URLSearchParams(search);
  const since = isoOrEmpty(p.get('since'));
  const start = p.get('start');
  return {
    owner: p.get('owner') ?? '',
    addon: p.get('addon') ?? '',
    start: start in STARTS || start === 'lines' || start === 'range' ? start : (since ? 'range' : 'lines'),
    tail: bounded(p.get('tail'), DEFAULTS.tail, 1, MAX_TAIL),
    since,
    until: isoOrEmpty(p.get('until')),
    filter: p.get('filter') ?? '',
    severity: SEVERITIES.includes(p.get('severity')) ? p.get('severity') : '',
    service: p.get('service') ?? '',
    instanceId: p.get('instanceId') ?? '',
    hostname: p.get('hostname') ?? '',
    utc: p.get('tz') === 'utc',
    max: bounded(p.get('max'), DEFAULTS.max, 100, 50000),
    hold: bounded(p.get('hold'), DEFAULTS.hold, 10, 100000),
  };
}

/** The address-bar query of this view: what differs from the defaults. */
export function toSearch(q) {
  const p = new URLSearchParams();
  if (q.owner) p.set('owner', q.owner);
  if (q.addon) p.set('addon', q.addon);
  if (q.start !== 'lines') p.set('start', q.start);
  if (q.start === 'lines' && q.tail !== DEFAULTS.tail) p.set('tail', String(q.tail));
  if (q.start === 'range') {
    if (q.since) p.set('since', q.since);
    if (q.until) p.set('until', q.until);
  }
  for (const name of FILTERS) if (q[name]) p.set(name, q[name]);
  if (q.utc) p.set('tz', 'utc');
  if (q.max !== DEFAULTS.max) p.set('max', String(q.max));
  if (q.hold !== DEFAULTS.hold) p.set('hold', String(q.hold));
  return p.toString();
}

/**
 * The SSE request of this view. A fresh start asks for the chosen start (the last N lines, or the last N of a time
 * window: the page keeps no more than max anyway); a resume sends Last-Event-ID instead, which the server continues
 * strictly after, with the same filters and end.
 */
export function tailUrl(q, resuming, now = Date.now()) {
  const p = new URLSearchParams();
  for (const name of FILTERS) if (q[name]) p.set(name, q[name]);
  if (filterCount(q) > 0) p.set('hiddenCounts', 'true');
  if (q.start === 'range' && q.until) p.set('until', q.until);
  if (!resuming) {
    if (q.start === 'lines') {
      p.set('tail', String(q.tail));
    } else {
      const since = q.start === 'range' ? q.since : new Date(now - STARTS[q.start]).toISOString();
      if (since) p.set('since', since);
      p.set('tail', String(Math.min(q.max, MAX_TAIL)));
    }
  }
  const query = p.toString();
  return `/v4/logs/organisations/${encodeURIComponent(q.owner)}/resources/${encodeURIComponent(q.addon)}/logs`
    + (query ? `?${query}` : '');
}

/** How many filters are set (shown on the narrow screen's collapsed controls). */
export function filterCount(q) {
  return FILTERS.filter((name) => q[name]).length;
}

/** "No matching lines in the last hour"-style words for the empty state, without the trailing clause. */
export function emptyWords(q, formatTime) {
  const lines = filterCount(q) > 0 ? 'No lines match these filters' : 'No lines';
  if (q.start === 'lines') return `${lines} in what Kafka still holds for ${q.addon}`;
  if (q.start !== 'range') return `${lines} ${START_WORDS[q.start]}`;
  if (q.since && q.until) return `${lines} between ${formatTime(q.since)} and ${formatTime(q.until)}`;
  if (q.since) return `${lines} since ${formatTime(q.since)}`;
  return q.until ? `${lines} before ${formatTime(q.until)}` : lines;
}

/** Words for what is being loaded: "the last 200 lines", "the last hour". */
export function startWords(q) {
  if (q.start === 'lines') return `the last ${q.tail} line${q.tail === 1 ? '' : 's'}`;
  return q.start === 'range' ? 'the chosen range' : START_WORDS[q.start].replace(/^in /, '');
}

function isoOrEmpty(raw) {
  if (!raw) return '';
  const date = new Date(raw);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}

export function bounded(raw, fallback, min, max) {
  const n = Number.parseInt(raw ?? '', 10);
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : fallback;
}
