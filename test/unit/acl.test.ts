/**
 * The ACL file parser (ConfigParser semantics that matter), the decision rules of
 * originals.md A.10.3 with their quirks, CIDR entries, the section fallbacks, credential
 * parsing, API key patterns and the route guards.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AclFileError, parseAclFile, parseIni, type SectionRules } from '../../src/auth/acl-file.js';
import Fastify from 'fastify';
import { guardFor, isKnownRoute } from '../../src/auth/route-guards.js';
import { routes } from '../../src/http/kit/reply.js';
import { decide, normalizeAddress, sectionFor } from '../../src/auth/acl.js';
import { credentialsMatch, parseAuthCookie, parseBasic, parseBearer, safeEqual } from '../../src/auth/credentials.js';
import { hashKey, keyAllows, newKey, patternMatches, privilegeFor, validateRecord } from '../../src/auth/authkeys.js';

const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;
const section = (text: string, name = 'rest:consumer'): SectionRules => {
  const s = parseAclFile(text).get(name as 'rest:consumer');
  assert.ok(s, `section ${name} parsed`);
  return s;
};

describe('ACL file parser', () => {
  it('reads sections, "=" and ":" options, lowercases option names, skips comments', () => {
    const ini = parseIni('# comment\n; another\n[rest:consumer]\nHosts_Allow = 10.0.0.1 127.0.0.1\nusername: bob\npassword=s3cret ; inline comment\nrem old line\n');
    const opts = ini.get('rest:consumer');
    assert.ok(opts, 'section found');
    assert.equal(opts.get('hosts_allow'), '10.0.0.1 127.0.0.1');
    assert.equal(opts.get('username'), 'bob');
    assert.equal(opts.get('password'), 's3cret');
  });

  it('joins indented continuation lines and keeps ";" not preceded by white space', () => {
    const s = section('[rest:consumer]\nhosts_allow = 10.\n  192.168.\npassword = a;b\nusername = u\n');
    assert.deepEqual(s.hostsAllow?.entries, ['10.', '192.168.']);
    assert.equal(s.password, 'a;b');
  });

  it('an empty file is valid and has no sections (everything open)', () => {
    assert.equal(parseAclFile('').size, 0);
    assert.equal(parseAclFile('# all commented\n#[rest:consumer]\n').size, 0);
  });

  it('`all` and an empty value are no list at all; DEFAULT is inherited', () => {
    const rules = parseAclFile('[DEFAULT]\nusername = admin\n[rest:producer]\nhosts_allow = all\nhosts_deny =\npassword = p\n');
    const s = rules.get('rest:producer');
    assert.ok(s, 'section parsed');
    assert.equal(s.hostsAllow, null);
    assert.equal(s.hostsDeny, null);
    assert.equal(s.username, 'admin');
  });

  it('interpolates %% and %(name)s; a lone % refuses the file instead of dropping the password', () => {
    assert.equal(section('[rest:consumer]\nuser = bob\nusername = %(user)s\npassword = 100%%\n').password, '100%');
    assert.equal(section('[rest:consumer]\nuser = bob\nusername = %(user)s\npassword = x\n').username, 'bob');
    assert.throws(() => parseAclFile('[rest:consumer]\nusername = u\npassword = 50%off\n'), AclFileError);
    assert.throws(() => parseAclFile('[rest:consumer]\npassword = %(nope)s\n'), AclFileError);
  });

  it('refuses malformed lines and bad CIDR blocks, naming the line but never its text', () => {
    const err = (text: string) => {
      try {
        parseAclFile(text);
      } catch (e) {
        assert.ok(e instanceof AclFileError, 'an AclFileError');
        return e.message;
      }
      assert.fail('expected the file to be refused');
    };
    const m = err('[rest:consumer]\nsecretpassword\n');
    assert.match(m, /line 2/);
    assert.ok(!m.includes('secretpassword'), 'the line text is not in the message');
    assert.match(err('username = x\n'), /before any \[section\]/);
    assert.match(err('[rest:consumer]\nhosts_allow = 10.0.0.0/33\n'), /CIDR/);
    assert.match(err('[rest:consumer]\nhosts_allow = nothost/8\n'), /CIDR/);
  });
});

describe('ACL decision (originals.md A.10.3)', () => {
  it('no section: allowed', () => assert.equal(decide(undefined, '1.2.3.4'), 'allow'));

  it('allow list without deny list: others are denied; a match needs the password when one is set', () => {
    const open = section('[rest:consumer]\nhosts_allow = 10.0.0.\n');
    assert.equal(decide(open, '10.0.0.5'), 'allow');
    assert.equal(decide(open, '10.0.1.5'), 'deny');
    const withPassword = section('[rest:consumer]\nhosts_allow = 10.0.0.\nusername = u\npassword = p\n');
    assert.equal(decide(withPassword, '10.0.0.5'), 'authenticate');
    assert.equal(decide(withPassword, '10.0.1.5'), 'deny');
  });

  it('string prefixes match as strings (the quirk): 192.168.0.1 also matches 192.168.0.10', () => {
    const s = section('[rest:consumer]\nhosts_allow = 192.168.0.1\n');
    assert.equal(decide(s, '192.168.0.10'), 'allow');
    assert.equal(decide(s, '192.168.0.2'), 'deny');
  });

  it('CIDR blocks match by block, IPv4 and IPv6; IPv4-mapped IPv6 matches IPv4 rules', () => {
    const s = section('[rest:consumer]\nhosts_allow = 10.0.0.0/8 fd00::/8\n');
    assert.equal(decide(s, '10.200.3.4'), 'allow');
    assert.equal(decide(s, '11.0.0.1'), 'deny');
    assert.equal(decide(s, 'fd12::1'), 'allow');
    assert.equal(decide(s, 'fe80::1'), 'deny');
    assert.equal(decide(s, '::ffff:10.1.2.3'), 'allow');
    assert.equal(normalizeAddress('::FFFF:127.0.0.1'), '127.0.0.1');
  });

  it('allow and deny lists: a non-matching allow falls through to the deny list', () => {
    const s = section('[rest:consumer]\nhosts_allow = 10.\nhosts_deny = 192.168.\n');
    assert.equal(decide(s, '10.1.1.1'), 'allow');
    assert.equal(decide(s, '192.168.1.1'), 'deny');
    assert.equal(decide(s, '172.16.0.1'), 'allow');
  });

  it('hosts_deny = all denies nobody (the quirk); a deny list alone denies its matches', () => {
    assert.equal(decide(section('[rest:consumer]\nhosts_deny = all\n'), '1.2.3.4'), 'allow');
    const d = section('[rest:consumer]\nhosts_deny = 1.2.3.0/24\n');
    assert.equal(decide(d, '1.2.3.4'), 'deny');
    assert.equal(decide(d, '1.2.4.4'), 'allow');
  });

  it('a password is required only when both username and password are non-empty', () => {
    assert.equal(decide(section('[rest:consumer]\nusername = u\npassword = p\n'), '1.1.1.1'), 'authenticate');
    assert.equal(decide(section('[rest:consumer]\nusername = u\n'), '1.1.1.1'), 'allow');
    assert.equal(decide(section('[rest:consumer]\nusername =\npassword = p\n'), '1.1.1.1'), 'allow');
  });

  it('admin falls back to rest:producer, sse:consumer to comet:consumer, others are open', () => {
    const rules = parseAclFile('[rest:producer]\nusername = p\npassword = p\n[comet:consumer]\nhosts_allow = 10.\n');
    assert.equal(sectionFor(rules, 'admin'), rules.get('rest:producer'));
    assert.equal(sectionFor(rules, 'sse:consumer'), rules.get('comet:consumer'));
    assert.equal(sectionFor(rules, 'websocket:consumer'), undefined);
    const own = parseAclFile('[rest:producer]\nusername = p\npassword = p\n[admin]\n');
    assert.equal(decide(sectionFor(own, 'admin'), '1.1.1.1'), 'allow', 'an [admin] section of its own wins');
  });
});

describe('credentials', () => {
  it('Basic: two parts, base64, split at the first colon', () => {
    assert.deepEqual(parseBasic(basic('bob:pa:ss')), { username: 'bob', password: 'pa:ss' });
    assert.deepEqual(parseBasic(`basic ${Buffer.from('a:b').toString('base64')}`), { username: 'a', password: 'b' });
    assert.equal(parseBasic(basic('nocolon')), undefined);
    assert.equal(parseBasic('Basic'), undefined);
    assert.equal(parseBasic(`Digest ${Buffer.from('a:b').toString('base64')}`), undefined);
    assert.equal(parseBasic('Basic a b'), undefined);
    assert.equal(parseBasic('Basic !!!'), undefined);
  });

  it('the auth cookie holds user:password in plain text; Bearer holds a key', () => {
    assert.deepEqual(parseAuthCookie('x=1; auth=bob:pw'), { username: 'bob', password: 'pw' });
    assert.equal(parseAuthCookie('x=1'), undefined);
    assert.equal(parseBearer('Bearer abc_-1'), 'abc_-1');
    assert.equal(parseBearer('Basic abc'), undefined);
  });

  it('comparisons: equal only when both parts are equal', () => {
    assert.ok(safeEqual('same', 'same'), 'equal strings');
    assert.ok(!safeEqual('same', 'same '), 'a longer string differs');
    assert.ok(credentialsMatch({ username: 'u', password: 'p' }, 'u', 'p'), 'both match');
    assert.ok(!credentialsMatch({ username: 'u', password: 'x' }, 'u', 'p'), 'wrong password');
    assert.ok(!credentialsMatch({ username: 'x', password: 'p' }, 'u', 'p'), 'wrong user');
  });
});

describe('API key records', () => {
  it('keys are 32 random bytes in base64url; the hash is SHA-256 hex', () => {
    const k = newKey();
    assert.match(k, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(newKey(), k);
    assert.match(hashKey(k), /^[0-9a-f]{64}$/);
  });

  it('no key starts with -, so a command line takes it as an argument, never an option', () => {
    // 1 key in 64 would without the rule: 2,000 keys all but always catch one.
    for (let i = 0; i < 2000; i++) assert.ok(!newKey().startsWith('-'));
  });

  it('patterns: * is any run of characters, dots are literal', () => {
    assert.ok(patternMatches('jobs.*', 'jobs.a'), 'jobs.* matches jobs.a');
    assert.ok(!patternMatches('jobs.*', 'jobsXa'), 'the dot is literal');
    assert.ok(patternMatches('*', 'anything'), '* matches all');
    assert.ok(!patternMatches('jobs', 'jobs2'), 'no implicit suffix');
  });

  it('privileges per category, and a request without a queue needs the pattern *', () => {
    assert.equal(privilegeFor('rest:producer'), 'write');
    assert.equal(privilegeFor('admin'), 'admin');
    assert.equal(privilegeFor('websocket:consumer'), 'read');
    const r = { queues: ['jobs.*'], privs: ['read' as const], created: 0 };
    assert.ok(keyAllows(r, 'read', 'jobs.x'), 'read on a matching queue');
    assert.ok(!keyAllows(r, 'write', 'jobs.x'), 'no write privilege');
    assert.ok(!keyAllows(r, 'read', 'other'), 'queue not matched');
    assert.ok(!keyAllows(r, 'read', undefined), 'no queue: needs *');
    assert.ok(keyAllows({ ...r, queues: ['*'] }, 'read', undefined), '* covers requests without a queue');
  });

  it('validates what a client asks for', () => {
    assert.equal(typeof validateRecord([], ['read']), 'string');
    assert.equal(typeof validateRecord(['a b'], ['read']), 'string');
    assert.equal(typeof validateRecord(['a'], ['create']), 'string');
    const ok = validateRecord(['a', 'a', 'b.*'], ['read', 'write']);
    assert.ok(typeof ok !== 'string', 'valid request');
    assert.deepEqual(ok.queues, ['a', 'b.*']);
  });
});

describe('route guards (each route states its category)', () => {
  it('a route without a category is admin; an unmatched request (404) is open', () => {
    assert.equal(guardFor('GET', '/q/:queue', 'rest:consumer'), 'rest:consumer');
    assert.equal(guardFor('POST', '/q/:queue', 'rest:producer'), 'rest:producer');
    assert.equal(guardFor('GET', '/no/such/route', undefined), 'admin');
    assert.equal(guardFor('GET', undefined, undefined), 'open', 'a 404 reveals nothing');
    assert.equal(isKnownRoute('/no/such/route', undefined), false);
  });

  it('SSE on the COMET route is sse:consumer; plugin routes (the docs page) are guarded by prefix', () => {
    assert.equal(guardFor('GET', '/c/:queue', 'comet:consumer'), 'comet:consumer');
    assert.equal(guardFor('GET', '/c/:queue', 'comet:consumer', 'text/event-stream'), 'sse:consumer');
    assert.equal(guardFor('GET', '/docs/static/*', undefined), 'rest:consumer');
    assert.equal(guardFor('HEAD', '/docs', undefined), 'rest:consumer');
    assert.equal(guardFor('POST', '/docs/json', undefined), 'admin');
    assert.equal(guardFor('GET', '/docsx', undefined), 'admin', 'a prefix family is matched on a path boundary');
    assert.ok(isKnownRoute('/docs/json', undefined));
  });

  it('routes() keeps each method\'s category in its route config; HEAD is guarded as GET, an unserved method as admin', async () => {
    const app = Fastify();
    const seen: Record<string, unknown> = {};
    app.addHook('onRequest', async (req) => {
      seen[req.method] = req.routeOptions.config.acl;
    });
    const ok = () => ({ status: 200, body: 'ok' });
    routes(app, '/q/:queue', { GET: { acl: 'rest:consumer', handler: ok }, POST: { acl: 'rest:producer', handler: ok }, DELETE: { acl: 'admin', handler: ok } });
    routes(app, '/health', { GET: { acl: 'open', handler: ok } }, { head: true });
    try {
      for (const method of ['GET', 'POST', 'DELETE', 'HEAD', 'PUT', 'PATCH', 'OPTIONS'] as const) await app.inject({ method, url: '/q/x' });
      assert.deepEqual(seen, { GET: 'rest:consumer', POST: 'rest:producer', DELETE: 'admin', HEAD: 'rest:consumer', PUT: 'admin', PATCH: 'admin', OPTIONS: 'admin' });
      const head = await app.inject({ method: 'HEAD', url: '/health' });
      assert.equal(head.statusCode, 200);
      assert.equal(seen['HEAD'], 'open');
    } finally {
      await app.close();
    }
  });
});
