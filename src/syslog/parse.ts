/**
 * One syslog message (a frame's text) → its fields: RFC 5424 (`<PRI>1 TIMESTAMP HOSTNAME
 * APP-NAME PROCID MSGID [SD] MSG`) or RFC 3164 (`<PRI>Mmm dd hh:mm:ss HOSTNAME TAG[pid]: MSG`).
 * Never throws: a missing or bad PRI (not 0–191, not digits, the original's crash, R25) leaves
 * facility and severity null and the whole text as the message; an unrecognised header keeps
 * what it could read. Pure.
 */

/** The original's names, by facility number (16 is local0). */
export const FACILITIES = ['kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp', 'ntp', 'audit', 'alert', 'at', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'] as const;
export const SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warn', 'notice', 'info', 'debug'] as const;

export interface SyslogFields {
  format: 'rfc5424' | 'rfc3164' | 'unknown';
  facility: string | null;
  severity: string | null;
  /** As the sender wrote it (RFC 5424: ISO 8601; RFC 3164: `Mmm dd hh:mm:ss`). */
  timestamp: string | null;
  hostname: string | null;
  app: string | null;
  procid: string | null;
  msgid: string | null;
  /** RFC 5424 structured data, as sent (`[id k="v"]...`). */
  structuredData: string | null;
  message: string;
}

const nil = (s: string | undefined): string | null => (s === undefined || s === '-' ? null : s);

/** `<PRI>`: 1–3 digits, 0–191 (no leading zeros but `<0>`). */
function readPri(text: string): { pri: number; rest: string } | undefined {
  const m = /^<(0|[1-9]\d{0,2})>/.exec(text);
  if (!m) return undefined;
  const pri = Number(m[1]);
  return pri <= 191 ? { pri, rest: text.slice(m[0].length) } : undefined;
}

/** The length of the structured data at the start of `s` (`-` or `[...]` elements), or -1. */
function structuredDataLength(s: string): number {
  if (s.startsWith('-')) return 1;
  let i = 0;
  while (s[i] === '[') {
    let quoted = false;
    i++;
    for (; i < s.length; i++) {
      const c = s[i];
      if (quoted && c === '\\') i++;
      else if (c === '"') quoted = !quoted;
      else if (c === ']' && !quoted) break;
    }
    if (i >= s.length) return -1;
    i++;
  }
  return i === 0 ? -1 : i;
}

function rfc5424(rest: string, base: Omit<SyslogFields, 'format' | 'message'>): SyslogFields | undefined {
  const m = /^1 (\S+) (\S+) (\S+) (\S+) (\S+) /.exec(rest);
  if (!m) return undefined;
  const after = rest.slice(m[0].length);
  const sdLen = structuredDataLength(after);
  if (sdLen < 0) return undefined;
  const sd = after.slice(0, sdLen);
  const message = after.slice(sdLen).replace(/^ /, '').replace(/^\uFEFF/, '');
  return { ...base, format: 'rfc5424', timestamp: nil(m[1]), hostname: nil(m[2]), app: nil(m[3]), procid: nil(m[4]), msgid: nil(m[5]), structuredData: nil(sd), message };
}

/** BSD's `Mmm dd hh:mm:ss`, or RFC 3339 as rsyslog's RSYSLOG_ForwardFormat writes it. */
const RFC3164_TIME = /^([A-Z][a-z]{2} [ 0-3]\d \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d)) /;
const TAG = /^([^\s:[\]]{1,48})(?:\[([^\]\s]{1,128})\])?: ?/;
/** After a timestamp and a hostname the next word is the tag, colon or not (rsyslog's reading:
 *  its forward format writes an RFC 5424 app name without one). */
const TAG_AFTER_HOST = /^([^\s:[\]]{1,48})(?:\[([^\]\s]{1,128})\])?(?:: ?| )/;

function rfc3164(rest: string, base: Omit<SyslogFields, 'format' | 'message'>): SyslogFields {
  const fields: SyslogFields = { ...base, format: 'rfc3164', message: rest };
  const time = RFC3164_TIME.exec(rest);
  let s = rest;
  let tagPattern = TAG;
  if (time) {
    fields.timestamp = time[1]!;
    s = s.slice(time[0].length);
    // HOSTNAME follows the time, unless what follows is already the tag (`app: msg`).
    const host = /^(\S+) /.exec(s);
    if (host && !/[:[\]]/.test(host[1]!)) {
      fields.hostname = host[1]!;
      s = s.slice(host[0].length);
      tagPattern = TAG_AFTER_HOST;
    }
  }
  const tag = tagPattern.exec(s);
  if (tag) {
    fields.app = tag[1]!;
    fields.procid = tag[2] ?? null;
    s = s.slice(tag[0].length);
  }
  fields.message = s;
  return fields;
}

export function parseSyslog(text: string): SyslogFields {
  const empty = { facility: null, severity: null, timestamp: null, hostname: null, app: null, procid: null, msgid: null, structuredData: null };
  const pri = readPri(text);
  if (!pri) return { ...empty, format: 'unknown', message: text };
  const base = { ...empty, facility: FACILITIES[pri.pri >> 3]!, severity: SEVERITIES[pri.pri & 7]! };
  return rfc5424(pri.rest, base) ?? rfc3164(pri.rest, base);
}
