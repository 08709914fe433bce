/**
 * Every setting once: its type, default, environment name and one-line doc.
 * The CLI builds its flags from this table; load.ts validates and freezes the result.
 */

export type SettingType = 'string' | 'int' | 'bool';

export interface SettingSpec {
  /** Flag name without dashes; env name is RESTMQ_ + upper snake case of it. */
  flag: string;
  type: SettingType;
  default?: string | number | boolean;
  doc: string;
  /** Inclusive bounds for ints. */
  min?: number;
  max?: number;
}

export const SETTINGS = [
  { flag: 'port', type: 'int', default: 8888, min: 0, max: 65535, doc: 'TCP port to listen on (0: any free port)' },
  { flag: 'listen', type: 'string', default: '127.0.0.1', doc: 'address to listen on' },
  { flag: 'workers', type: 'string', default: '1', doc: 'broker processes sharing the port: a number, or auto (one per core); Redis stores only, SQLite is one process' },
  { flag: 'store', type: 'string', doc: 'sqlite:<path> (default sqlite:./restmq.db), memory, redis://host:port/db, rediss://host:port/db (TLS), redis-sentinel://host:port,.../master[/db] or redis-cluster://host:port,...' },
  { flag: 'sqlite-sync', type: 'string', default: 'normal', doc: 'SQLite commits: normal (survive a killed broker) or full (also a power loss: an fsync per commit)' },
  { flag: 'redis-host', type: 'string', default: '127.0.0.1', doc: 'Redis host (giving any --redis-* flag selects Redis)' },
  { flag: 'redis-port', type: 'int', default: 6379, min: 1, max: 65535, doc: 'Redis port' },
  { flag: 'redis-db', type: 'int', default: 0, min: 0, max: 15, doc: 'Redis database number' },
  { flag: 'redis-pool', type: 'int', default: 10, min: 1, max: 1000, doc: 'accepted for compatibility; one pipelined connection is used' },
  { flag: 'redis-password', type: 'string', doc: 'Redis password (never logged)' },
  { flag: 'redis-tls-ca', type: 'string', doc: 'PEM file of the CA that signed the Redis server certificate (rediss:// only; default: the system CAs)' },
  { flag: 'redis-wait-replicas', type: 'int', default: 0, min: 0, max: 100, doc: 'answer a producer only once its messages reached this many Redis replicas (WAIT; 0: do not wait)' },
  { flag: 'redis-wait-timeout', type: 'int', default: 1000, min: 1, max: 60000, doc: 'milliseconds to wait for --redis-wait-replicas before the producer gets REPLICATION_TIMEOUT' },
  { flag: 'acl', type: 'string', doc: 'ACL file (INI format of the original)' },
  { flag: 'max-message-bytes', type: 'int', default: 1048576, min: 1, max: 64 * 1048576, doc: 'largest message value, in bytes' },
  { flag: 'heartbeat', type: 'int', default: 15, min: 0, max: 3600, doc: 'seconds between heartbeats on idle SSE and WebSocket streams (0: none)' },
  { flag: 'comet-heartbeat', type: 'int', default: 0, min: 0, max: 3600, doc: 'seconds between heartbeats (an empty line) on idle COMET streams, for proxies that cut idle connections (0: none, as the original)' },
  { flag: 'stall-timeout', type: 'int', default: 30, min: 1, max: 3600, doc: 'seconds a streaming consumer may stop reading before it is cut off' },
  { flag: 'trust-proxy', type: 'string', doc: 'comma-separated proxy addresses/CIDRs whose X-Forwarded-For is trusted' },
  { flag: 'tls-cert', type: 'string', doc: 'PEM certificate file: serve HTTPS and WSS (needs --tls-key)' },
  { flag: 'tls-key', type: 'string', doc: 'PEM private key file for --tls-cert' },
  { flag: 'max-streams-per-ip', type: 'int', default: 256, min: 0, max: 1000000, doc: 'open streaming connections (COMET, SSE, WebSocket) per client address (0: no limit)' },
  { flag: 'max-long-polls-per-ip', type: 'int', default: 256, min: 0, max: 1000000, doc: 'long polls (wait=) waiting at once per client address (0: no limit)' },
  { flag: 'max-url-bytes', type: 'int', default: 8192, min: 256, max: 1048576, doc: 'longest request URL, in bytes (414 beyond)' },
  { flag: 'max-header-bytes', type: 'int', default: 16384, min: 1024, max: 1048576, doc: 'largest request header block, in bytes (431 beyond)' },
  { flag: 'headers-timeout', type: 'int', default: 10, min: 1, max: 3600, doc: 'seconds a client may take to send its request headers (slow clients are cut off)' },
  { flag: 'metrics-max-queues', type: 'int', default: 1000, min: 0, max: 10000000, doc: 'queues with their own series on /metrics, deepest first; the rest are summed under queue="(other)"' },
  { flag: 'syslog-port', type: 'int', min: 0, max: 65535, doc: 'accept syslog over TCP on this port (RFC 6587 line or octet-counted framing; 0: any free port)' },
  { flag: 'syslog-udp-port', type: 'int', min: 0, max: 65535, doc: 'accept syslog over UDP on this port (one message per datagram)' },
  { flag: 'syslog-listen', type: 'string', default: '127.0.0.1', doc: 'address the syslog listeners bind' },
  { flag: 'syslog-queue-naming', type: 'string', default: 'sender', doc: 'sender: queue syslogd.<sender address> per sender; local: one queue syslogd.<listening address> (the original\'s naming)' },
  { flag: 'syslog-max-line-bytes', type: 'int', default: 16384, min: 256, max: 64 * 1048576, doc: 'longest syslog message kept whole; longer ones are cut to this many bytes and flagged truncated' },
  { flag: 'cors-origin', type: 'string', doc: 'let pages on other origins call the broker: * (any origin, no browser credentials) or comma-separated origins such as https://app.example.com (credentials allowed); off when absent' },
  { flag: 'read-only-dashboard', type: 'bool', default: false, doc: 'hide every action (send, purge, start/stop, policy, redrive) on the dashboard' },
  { flag: 'access-log', type: 'bool', default: false, doc: 'log one line per request at info (method, path, status, ms); without it only failed requests are logged' },
  { flag: 'log-level', type: 'string', default: 'info', doc: 'fatal, error, warn, info, debug, trace or silent' },
  { flag: 'config', type: 'string', doc: 'JSON file with settings (flag names as keys); flags and env override it' },
] as const satisfies readonly SettingSpec[];

export type SettingFlag = (typeof SETTINGS)[number]['flag'];

export function envName(flag: string): string {
  return 'RESTMQ_' + flag.toUpperCase().replace(/-/g, '_');
}

/** A setting's default, for code that runs without a loaded config (tests, benchmarks). */
export function defaultOf(flag: SettingFlag): unknown {
  return (SETTINGS.find((s) => s.flag === flag) as SettingSpec | undefined)?.default;
}
