/**
 * Properties of the ACL parser and credential parsing: any text either parses or is refused
 * with an AclFileError (never another exception); a file written from rules reads back as
 * those rules; CIDR entries agree with an arithmetic oracle; Basic and the auth cookie give
 * back any user:password (the password may hold colons); the API key pattern matcher agrees
 * with an oracle that does not use regular expressions.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AclFileError, parseAclFile, CATEGORIES } from '../../src/auth/acl-file.js';
import { decide, hostMatches } from '../../src/auth/acl.js';
import { parseAuthCookie, parseBasic, safeEqual } from '../../src/auth/credentials.js';
import { patternMatches } from '../../src/auth/authkeys.js';

const RUNS = { numRuns: 300 };
/** Option values as ConfigParser keeps them: no line breaks, no surrounding space, `%` written `%%`, `;` never after a space. */
const value = fc.stringMatching(/^[A-Za-z0-9_.:@!#$^&*()+=%;-]{1,20}$/);
const octet = fc.integer({ min: 0, max: 255 });
const ipv4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));
const toInt = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);

describe('ACL file parser properties', () => {
  it('any text parses or is refused with an AclFileError', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.constantFrom('[rest:consumer]', '[admin]', 'hosts_allow = 10.0.0.0/8', 'password = %', '  cont')), { maxLength: 8 }), (lines) => {
        try {
          parseAclFile(lines.join('\n'));
        } catch (err) {
          assert.ok(err instanceof AclFileError, `unexpected ${String(err)}`);
        }
      }),
      RUNS,
    );
  });

  it('a file written from rules reads back as those rules, whatever the separator and case', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CATEGORIES),
        value,
        value,
        fc.constantFrom(' = ', '=', ': ', ':'),
        fc.boolean(),
        (category, username, password, sep, upper) => {
          const name = (n: string) => (upper ? n.toUpperCase() : n);
          const text = `# generated\n[${category}]\n${name('username')}${sep}${username.replace(/%/g, '%%')}\n${name('password')}${sep}${password.replace(/%/g, '%%')}\n`;
          const s = parseAclFile(text).get(category);
          assert.ok(s, 'section read');
          assert.equal(s.username, username);
          assert.equal(s.password, password);
          assert.equal(decide(s, '1.2.3.4'), 'authenticate');
        },
      ),
      RUNS,
    );
  });

  it('an IPv4 CIDR entry matches exactly the addresses of its block (arithmetic oracle)', () => {
    fc.assert(
      fc.property(ipv4, fc.integer({ min: 0, max: 32 }), ipv4, (base, bits, ip) => {
        const s = parseAclFile(`[rest:consumer]\nhosts_allow = ${base}/${bits}\n`).get('rest:consumer');
        assert.ok(s?.hostsAllow, 'list read');
        const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
        const inBlock = ((toInt(ip) & mask) >>> 0) === ((toInt(base) & mask) >>> 0);
        assert.equal(hostMatches(s.hostsAllow, ip), inBlock, `${ip} in ${base}/${bits}`);
        assert.equal(hostMatches(s.hostsAllow, `::ffff:${ip}`), inBlock, 'IPv4-mapped form');
      }),
      RUNS,
    );
  });

  it('a prefix entry matches as a string prefix (the original rule)', () => {
    fc.assert(
      fc.property(ipv4, fc.integer({ min: 1, max: 15 }), ipv4, (a, cut, ip) => {
        const prefix = a.slice(0, cut);
        const s = parseAclFile(`[rest:consumer]\nhosts_allow = ${prefix}\n`).get('rest:consumer');
        assert.ok(s?.hostsAllow, 'list read');
        assert.equal(hostMatches(s.hostsAllow, ip), ip.startsWith(prefix));
      }),
      RUNS,
    );
  });
});

describe('credential parsing properties', () => {
  const user = fc.string({ maxLength: 20 }).filter((s) => !s.includes(':'));
  it('Basic gives back any user:password, colons in the password included', () => {
    fc.assert(
      fc.property(user, fc.string({ maxLength: 30 }), (u, p) => {
        assert.deepEqual(parseBasic(`Basic ${Buffer.from(`${u}:${p}`, 'utf8').toString('base64')}`), { username: u, password: p });
      }),
      RUNS,
    );
  });

  it('the auth cookie gives back any user:password of cookie-safe characters', () => {
    const safe = fc.stringMatching(/^[A-Za-z0-9_.!*'()-]{0,20}$/);
    fc.assert(
      fc.property(safe, fc.tuple(safe, safe).map(([a, b]) => `${a}:${b}`), (u, p) => {
        assert.deepEqual(parseAuthCookie(`other=1; auth=${u}:${p}; x=y`), { username: u, password: p });
      }),
      RUNS,
    );
  });

  it('no header text makes the parsers throw', () => {
    fc.assert(
      fc.property(fc.string(), (h) => {
        parseBasic(h);
        parseBasic(`Basic ${h}`);
        parseAuthCookie(h);
      }),
      RUNS,
    );
  });

  it('safeEqual is string equality', () => {
    fc.assert(fc.property(fc.string(), fc.string(), (a, b) => assert.equal(safeEqual(a, b), a === b)), RUNS);
  });
});

describe('API key pattern properties', () => {
  /** Glob matching with `*` only, by recursion over characters. */
  const oracle = (p: string, s: string): boolean => {
    if (p === '') return s === '';
    if (p[0] === '*') return oracle(p.slice(1), s) || (s !== '' && oracle(p, s.slice(1)));
    return s !== '' && p[0] === s[0] && oracle(p.slice(1), s.slice(1));
  };
  it('patternMatches agrees with the oracle', () => {
    const chars = fc.constantFrom('a', 'b', '.', '-', '_');
    const pattern = fc.array(fc.oneof(chars, fc.constant('*')), { maxLength: 6 }).map((a) => a.join(''));
    const name = fc.array(chars, { maxLength: 8 }).map((a) => a.join(''));
    fc.assert(fc.property(pattern, name, (p, s) => assert.equal(patternMatches(p, s), oracle(p, s), `${p} ~ ${s}`)), RUNS);
  });
});
