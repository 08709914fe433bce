/**
 * collectd's text formats turned into the message bodies the original stored (originals.md
 * A.13), with its word-dropping fixed: quoted identifiers and multi-word values are kept whole.
 * - `PUTVAL host/plugin[-inst]/type[-inst] [interval=<s>] <time:v1:v2…>…` (write_http's
 *   `Format Command`, the unixsock/exec line format) → one object per value list,
 *   `{host, plugin_instance, type_instance, interval, value}`. The names are the original's:
 *   `plugin_instance` holds the whole plugin part and `type_instance` the whole type part.
 * - A notification as collectd's exec plugin writes it (`Name: value` headers, a blank line,
 *   the message) → `[{severity}, {time}, …, {event_text}]`, single-key objects in order.
 * Pure functions: the route decides the media type and the queue.
 */
import { BrokerError } from '../../errors.js';
import { pyJson, type Json } from '../json-text.js';

/** Splits a line on blanks; double quotes group, and a backslash escapes inside them (collectd's escape_string). */
export function tokenize(line: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (i >= line.length) break;
    let token = '';
    if (line[i] === '"') {
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < line.length) i++;
        token += line[i++];
      }
      i++;
    } else {
      while (i < line.length && line[i] !== ' ' && line[i] !== '\t') token += line[i++];
    }
    tokens.push(token);
  }
  return tokens;
}

const lines = (text: string): string[] => text.split(/\r?\n/);

function invalid(message: string): BrokerError {
  return new BrokerError('INVALID_COLLECTD', message);
}

/** The JSON array stored for a write_http `Format Command` body; refuses a body without PUTVAL. */
export function parsePutvals(text: string): string {
  const out: Json[] = [];
  for (const line of lines(text)) {
    const tokens = tokenize(line);
    if (tokens[0] !== 'PUTVAL') continue;
    const id = tokens[1] ?? '';
    const parts = id.split('/');
    if (parts.length !== 3 || parts.some((p) => p === '')) throw invalid(`a PUTVAL identifier is host/plugin/type, not ${JSON.stringify(id)}`);
    let interval: string | null = null;
    const values: string[] = [];
    for (const t of tokens.slice(2)) {
      const eq = t.indexOf('=');
      if (eq > 0 && !t.includes(':')) {
        if (t.slice(0, eq) === 'interval') interval = t.slice(eq + 1);
      } else values.push(t);
    }
    if (values.length === 0) throw invalid(`PUTVAL ${id} has no values`);
    for (const value of values) out.push({ host: parts[0]!, plugin_instance: parts[1]!, type_instance: parts[2]!, interval, value });
  }
  if (out.length === 0) throw invalid('no PUTVAL line in the body');
  return pyJson(out);
}

/** The notification headers the original kept, with PluginInstance added; names are stored lowercased. */
export const EVENT_FIELDS = ['Severity', 'Time', 'Host', 'Plugin', 'PluginInstance', 'Type', 'TypeInstance', 'DataSource', 'CurrentValue', 'WarningMin', 'WarningMax', 'FailureMin', 'FailureMax'] as const;
const FIELD_SET: ReadonlySet<string> = new Set(EVENT_FIELDS);

/**
 * The JSON array stored for an exec-style notification. Headers come first, up to a blank
 * line; the message is every line after it (the original kept only the last one). Without a
 * blank line, the leading `Name: value` lines are the headers and the rest is the message.
 */
export function parseNotification(text: string): string {
  const all = lines(text);
  while (all.length > 0 && all[all.length - 1] === '') all.pop();
  let blank = all.indexOf('');
  if (blank < 0) {
    blank = all.findIndex((l) => !/^[A-Za-z]+:/.test(l));
    if (blank < 0) blank = all.length;
  }
  const out: Json[] = [];
  for (const line of all.slice(0, blank)) {
    const colon = line.indexOf(':');
    const name = colon < 0 ? '' : line.slice(0, colon);
    if (FIELD_SET.has(name)) out.push({ [name.toLowerCase()]: line.slice(colon + 1).trim() });
  }
  const message = all.slice(blank + (all[blank] === '' ? 1 : 0)).join('\n');
  if (out.length === 0 && message === '') throw invalid('an empty notification');
  out.push({ event_text: message });
  return pyJson(out);
}

/** A JSON body (write_http's `Format JSON`, or any notification write_http sends) is stored as sent, once it parses. */
export function checkJson(text: string): string {
  try {
    JSON.parse(text);
  } catch {
    throw new BrokerError('INVALID_JSON');
  }
  return text;
}

/** write_http posts notifications as JSON whatever the node's Format: such a text/plain body is JSON. */
export function looksLikeJson(text: string): boolean {
  return /^\s*[[{]/.test(text);
}
