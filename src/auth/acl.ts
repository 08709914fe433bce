/**
 * The ACL decision for one request (originals.md A.10.3), kept in the original's order and with
 * its quirks, plus CIDR entries and the two new sections' fallbacks:
 * 1. a password is required only when both username and password are non-empty;
 * 2. with an allow list: a matching address is allowed (after the password, if one is
 *    required); a non-matching one is denied when there is no deny list, else goes on;
 * 3. with a deny list: a matching address is denied;
 * 4. otherwise the password if one is required, else allowed.
 * Prefix entries match the address as a string (`10.1` also matches `10.100.0.1`), as the
 * original did; CIDR entries match by block. An IPv4-mapped IPv6 address is matched as IPv4.
 */
import { isIPv4 } from 'node:net';
import type { AclRules, Category, HostList, SectionRules } from './acl-file.js';

export type Decision = 'allow' | 'deny' | 'authenticate';

/** A missing section falls back to another: admin to rest:producer (which guarded DELETE,
 *  control and policy in the original), sse:consumer to comet:consumer. Others: open. */
const FALLBACK: Partial<Record<Category, Category>> = { admin: 'rest:producer', 'sse:consumer': 'comet:consumer' };

export function sectionFor(rules: AclRules, category: Category): SectionRules | undefined {
  const own = rules.get(category);
  if (own) return own;
  const fallback = FALLBACK[category];
  return fallback === undefined ? undefined : rules.get(fallback);
}

/** `::ffff:1.2.3.4` → `1.2.3.4`; other addresses unchanged. */
export function normalizeAddress(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return mapped && isIPv4(mapped[1]!) ? mapped[1]! : ip;
}

export function hostMatches(list: HostList, ip: string): boolean {
  const address = normalizeAddress(ip);
  if (list.prefixes.some((p) => address.startsWith(p))) return true;
  if (list.cidrs.rules.length === 0) return false;
  return isIPv4(address) ? list.cidrs.check(address, 'ipv4') : list.cidrs.check(address, 'ipv6');
}

export function passwordRequired(section: SectionRules): boolean {
  return !!section.username && !!section.password;
}

/** What the section says about a client address; 'authenticate' means: check the credentials. */
export function decide(section: SectionRules | undefined, ip: string): Decision {
  if (!section) return 'allow';
  const needPassword = passwordRequired(section);
  if (section.hostsAllow) {
    if (hostMatches(section.hostsAllow, ip)) return needPassword ? 'authenticate' : 'allow';
    if (!section.hostsDeny) return 'deny';
  }
  if (section.hostsDeny && hostMatches(section.hostsDeny, ip)) return 'deny';
  return needPassword ? 'authenticate' : 'allow';
}
