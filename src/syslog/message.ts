/**
 * The message stored for one syslog line, and the queue it goes to. The body keeps the
 * original's fields first (`line`, `host`, `tstamp`, `facility`, `severity`, originals.md
 * A.14) and adds what RFC 3164/5424 carry. `host` is the sender's address now (R25).
 */
import { pyJson } from '../protocols/json-text.js';
import { normalizeAddress } from '../auth/acl.js';
import type { SyslogFields } from './parse.js';

export type QueueNaming = 'sender' | 'local';

/** `syslogd.<address>`: queue names cannot hold `:` (the original's `syslogd:<ip>`), IPv6 colons become `-`. */
export function syslogQueue(address: string): string {
  return `syslogd.${normalizeAddress(address).replace(/:/g, '-').replace(/[^A-Za-z0-9_.-]/g, '_')}`.slice(0, 128);
}

export function syslogBody(line: string, sender: string, fields: SyslogFields, truncated: boolean, receivedMs: number): string {
  return pyJson({
    line: line.trim(),
    host: normalizeAddress(sender),
    tstamp: receivedMs / 1000,
    facility: fields.facility,
    severity: fields.severity,
    format: fields.format,
    timestamp: fields.timestamp,
    hostname: fields.hostname,
    app: fields.app,
    procid: fields.procid,
    msgid: fields.msgid,
    structured_data: fields.structuredData,
    message: fields.message,
    truncated,
  });
}
