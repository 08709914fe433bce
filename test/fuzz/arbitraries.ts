/**
 * fast-check arbitraries shared by the property tests and the HTTP fuzz: strings built to
 * hit the corners parsers get wrong (CR/LF, NUL, separators, %-escapes, astral characters,
 * lone surrogates), and well-formed strings for round trips.
 */
import fc from 'fast-check';

/** Characters that mean something to one of our parsers or transports. */
const SPECIAL = ['\r', '\n', '\r\n', '\0', '\t', ' ', '%', '+', '&', '=', ';', ':', '.', '"', '\\', '<', '>', '/', '?', '#', '\u2028', '\u2029', '\ufeff', '\ufffd', '\u007f', 'é', '😀'];

/** A well-formed (no lone surrogate) string full of separators and control characters. */
export const hostileText = (maxLength = 40): fc.Arbitrary<string> =>
  fc
    .array(fc.oneof(fc.constantFrom(...SPECIAL), fc.string({ unit: 'grapheme-ascii', maxLength: 3 }), fc.string({ unit: 'binary', maxLength: 2 })), { maxLength })
    .map((parts) => parts.join(''));

/** Like hostileText, but may hold lone surrogates (what JavaScript strings allow and UTF-8 does not). */
export const anyJsString = (maxLength = 40): fc.Arbitrary<string> =>
  fc.array(fc.oneof(hostileText(4), fc.constantFrom('\ud800', '\udfff', '\udc00x', 'x\ud83d')), { maxLength: Math.ceil(maxLength / 4) }).map((parts) => parts.join(''));

/** Arbitrary bytes, biased towards bytes that look like UTF-8 sequences and escapes. */
export const hostileBytes = (maxLength = 64): fc.Arbitrary<Buffer> =>
  fc
    .array(
      fc.oneof(
        fc.uint8Array({ maxLength: 4 }).map((a) => Buffer.from(a)),
        hostileText(4).map((s) => Buffer.from(s, 'utf8')),
        fc.constantFrom(...[[0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0xff], [0xef, 0xbb, 0xbf]].map((b) => Buffer.from(b))),
      ),
      { maxLength: Math.ceil(maxLength / 3) },
    )
    .map((parts) => Buffer.concat(parts));

/** A valid queue name (1-128 of A-Z a-z 0-9 _ . -), never a reserved one. */
export const queueName: fc.Arbitrary<string> = fc
  .string({ unit: fc.constantFrom(...'ABCXYZabcxyz0189_.-'), minLength: 1, maxLength: 128 })
  .filter((s) => !['QUEUESET', 'AUTHKEY', 'queuestat'].includes(s));
