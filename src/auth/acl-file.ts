/**
 * The ACL file: the original's INI format (originals.md A.10.1), read with the parts of Python
 * 2's ConfigParser that an existing file can depend on: `[section]` headers, `key = value` and
 * `key: value` (the first of `=` or `:` splits), option names lowercased, `#`/`;` comment lines,
 * ` ;` inline comments, indented continuation lines, `[DEFAULT]` inherited by every section,
 * `%%` and `%(name)s` interpolation. Where ConfigParser silently turned a bad option into
 * None (which could switch password checks off), this parser refuses the whole file instead.
 * Error messages name a line, never its text: a password must not reach a log.
 */
import { BlockList, isIP } from 'node:net';

export const CATEGORIES = ['rest:producer', 'rest:consumer', 'comet:consumer', 'websocket:consumer', 'sse:consumer', 'admin'] as const;
export type Category = (typeof CATEGORIES)[number];

/** One `hosts_allow` / `hosts_deny` list: string prefixes (the original) and CIDR blocks. */
export interface HostList {
  prefixes: string[];
  cidrs: BlockList;
  /** The entries as written, for tests and messages. */
  entries: string[];
}

export interface SectionRules {
  /** null: no list (option absent, empty, or `all`). */
  hostsAllow: HostList | null;
  hostsDeny: HostList | null;
  username: string | null;
  password: string | null;
}

/** The rules of each section present in the file. */
export type AclRules = ReadonlyMap<Category, SectionRules>;

export class AclFileError extends Error {
  override name = 'AclFileError';
}

type RawSections = Map<string, Map<string, string>>;

/** The INI structure: section → (lowercased option → raw value), DEFAULT included. */
export function parseIni(text: string): RawSections {
  const sections: RawSections = new Map();
  let current: Map<string, string> | undefined;
  let last: { options: Map<string, string>; name: string } | undefined;
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  lines.forEach((line, i) => {
    const where = `line ${i + 1}`;
    if (line.trim() === '' || /^[#;]/.test(line) || /^rem\s/i.test(line)) {
      last = undefined;
      return;
    }
    if (/^\s/.test(line)) {
      // An indented line continues the previous value (ConfigParser joins with a newline).
      if (!last) throw new AclFileError(`${where}: indented line without an option above it`);
      last.options.set(last.name, `${last.options.get(last.name)}\n${line.trim()}`);
      return;
    }
    const header = /^\[([^\]]+)\]/.exec(line);
    if (header) {
      const name = header[1]!;
      current = sections.get(name) ?? new Map<string, string>();
      sections.set(name, current);
      last = undefined;
      return;
    }
    const split = /^([^=:]*?)\s*[=:]\s*(.*)$/.exec(line);
    if (!split || split[1] === '') throw new AclFileError(`${where}: expected "[section]" or "option = value"`);
    if (!current) throw new AclFileError(`${where}: option before any [section] header`);
    let value = split[2]!;
    // Python 2 ConfigParser: ";" preceded by white space starts a comment.
    const comment = /\s;/.exec(value);
    if (comment) value = value.slice(0, comment.index);
    const name = split[1]!.toLowerCase();
    current.set(name, value.trim());
    last = { options: current, name };
  });
  return sections;
}

/** ConfigParser's interpolation: `%%` is `%`, `%(name)s` the option `name`; anything else is an error. */
function interpolate(value: string, lookup: (name: string) => string | undefined, depth = 0): string {
  if (depth > 10) throw new AclFileError('interpolation nested too deeply');
  return value.replace(/%(%|\(([^)]*)\)s|)/g, (_m, what: string, name: string | undefined) => {
    if (what === '%') return '%';
    if (name === undefined) throw new AclFileError("'%' must be followed by '%' or '(name)s'");
    const v = lookup(name.toLowerCase());
    if (v === undefined) throw new AclFileError(`interpolation refers to a missing option "${name}"`);
    return interpolate(v, lookup, depth + 1);
  });
}

/** A `hosts_*` value: null when empty or `all` (as the original: `all` is no list at all). */
export function parseHostList(value: string | undefined): HostList | null {
  if (value === undefined) return null;
  const entries = value.split(/\s+/).filter((e) => e !== '');
  if (entries.length === 0 || (entries.length === 1 && entries[0]!.toLowerCase() === 'all')) return null;
  const list: HostList = { prefixes: [], cidrs: new BlockList(), entries };
  for (const entry of entries) {
    if (entry.includes('/')) {
      const [address = '', bits = ''] = entry.split('/');
      const family = isIP(address);
      const prefix = /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
      if (family === 0 || !(prefix <= (family === 4 ? 32 : 128))) throw new AclFileError(`"${entry}" is not a CIDR block`);
      list.cidrs.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
    } else {
      list.prefixes.push(entry);
    }
  }
  return list;
}

/** The rules of every known section of an ACL file; unknown sections are ignored. */
export function parseAclFile(text: string): AclRules {
  const raw = parseIni(text);
  const defaults = raw.get('DEFAULT') ?? new Map<string, string>();
  const rules = new Map<Category, SectionRules>();
  for (const category of CATEGORIES) {
    const options = raw.get(category);
    if (!options) continue;
    const lookup = (name: string) => options.get(name) ?? defaults.get(name);
    const get = (name: string): string | undefined => {
      const v = lookup(name);
      try {
        return v === undefined ? undefined : interpolate(v, lookup);
      } catch (err) {
        throw new AclFileError(`[${category}] ${name}: ${(err as Error).message}`);
      }
    };
    try {
      rules.set(category, {
        hostsAllow: parseHostList(get('hosts_allow')),
        hostsDeny: parseHostList(get('hosts_deny')),
        username: get('username') ?? null,
        password: get('password') ?? null,
      });
    } catch (err) {
      if (err instanceof AclFileError && !err.message.startsWith('[')) throw new AclFileError(`[${category}] ${err.message}`);
      throw err;
    }
  }
  return rules;
}
