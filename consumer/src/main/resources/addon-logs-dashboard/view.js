// One log line as a row of the page, built from text nodes only: log content never goes through innerHTML, so a
// line cannot inject markup; search matches are <mark> elements around text nodes.

import { SEVERITIES } from './query.js';

const FOLD_CHARS = 320;  // longer messages (or more than FOLD_LINES lines) are folded to three rows
const FOLD_LINES = 3;

/** "2026-11-23 11:11:12.345", in UTC or in the browser's zone; the day is a span the narrow layout hides. */
export function timeParts(iso, utc) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return { day: '', time: iso ?? '' };
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  const [y, mo, da, h, mi, s] = utc
    ? [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]
    : [d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()];
  return { day: `${y}-${pad(mo + 1)}-${pad(da)}`, time: `${pad(h)}:${pad(mi)}:${pad(s)}.${pad(d.getMilliseconds(), 3)}` };
}

export function formatTime(iso, utc) {
  const { day, time } = timeParts(iso, utc);
  return `${day} ${time}`.trim();
}

/** "UTC", or "local, UTC+01:00" for the browser's zone at that moment. */
export function zoneLabel(utc, at = new Date()) {
  if (utc) return 'UTC';
  const minutes = -at.getTimezoneOffset();
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  const pad = (n) => String(n).padStart(2, '0');
  return `local, UTC${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

export function severityOf(line) {
  return SEVERITIES.includes(line.severity) ? line.severity : 'info';
}

export function source(line) {
  return [line.hostname, line.service ?? line.instanceId].filter(Boolean).join(' ');
}

/** A line as plain text, for copying and downloading: UTC time, so that it means the same anywhere. */
export function lineText(line) {
  return [line.date, severityOf(line).toUpperCase(), source(line), line.message ?? ''].join(' ');
}

/** The row of a line; needle (the server-side text filter) is highlighted in the message. */
export function row(line, needle, utc) {
  const severity = severityOf(line);
  const div = element('div', `line sev-${severity}`);
  div.dataset.id = line.id ?? '';
  const time = element('time', 'time');
  time.dateTime = line.date;
  time.title = `${formatTime(line.date, true)} UTC`;
  setTime(time, utc);
  const src = element('span', 'src', source(line));
  src.title = src.textContent;
  const message = line.message ?? '';
  const msg = element('span', 'msg');
  msg.append(highlighted(message, needle));
  const tools = element('span', 'tools');
  const copy = element('button', 'copy', 'Copy');
  copy.type = 'button';
  copy.title = 'Copy this line';
  tools.append(copy);
  div.append(time, element('span', 'sev', severity), src, msg, tools);
  if (message.length > FOLD_CHARS || message.split('\n').length > FOLD_LINES) {
    msg.classList.add('folded');
    const fold = element('button', 'fold', `Show all (${message.length.toLocaleString('en')} characters)`);
    fold.type = 'button';
    fold.setAttribute('aria-expanded', 'false');
    div.append(fold);
  }
  return div;
}

/** Folds or unfolds a row's long message. */
export function toggleFold(div) {
  const msg = div.querySelector('.msg');
  const fold = div.querySelector('.fold');
  if (!fold) return;
  const folded = msg.classList.toggle('folded');
  fold.setAttribute('aria-expanded', String(!folded));
  fold.textContent = folded ? `Show all (${msg.textContent.length.toLocaleString('en')} characters)` : 'Fold';
}

/** Shows a row's time in UTC or local time (the title always says UTC). */
export function setTime(time, utc) {
  const { day, time: clock } = timeParts(time.dateTime, utc);
  time.replaceChildren(element('span', 'day', `${day} `), document.createTextNode(clock));
}

/** Text nodes with each occurrence of needle (case-sensitive, as the server matches) in a <mark>. */
export function highlighted(text, needle) {
  const fragment = document.createDocumentFragment();
  if (!needle) {
    fragment.append(text);
    return fragment;
  }
  let from = 0;
  let at;
  while ((at = text.indexOf(needle, from)) >= 0) {
    if (at > from) fragment.append(text.slice(from, at));
    fragment.append(element('mark', '', needle));
    from = at + needle.length;
  }
  if (from < text.length) fragment.append(text.slice(from));
  return fragment;
}

function element(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}
