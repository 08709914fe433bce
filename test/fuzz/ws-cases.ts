/**
 * WebSocket cases for the HTTP fuzz: handshakes with missing or wrong headers, handshakes on
 * routes that are not WebSockets, and good handshakes followed by bad frames (unmasked,
 * reserved opcodes, invalid UTF-8, lying lengths, stray continuations, random bytes).
 */
import fc from 'fast-check';
import { cut, type RawCase } from './raw-case.js';
import { hostileBytes } from './arbitraries.js';
import { bodyArb } from './bodies.js';

/** A client→server WebSocket frame (masked unless told otherwise). */
function wsFrame(opcode: number, payload: Buffer, opts: { fin?: boolean; masked?: boolean; claimLength?: number } = {}): Buffer {
  const fin = opts.fin ?? true;
  const masked = opts.masked ?? true;
  const len = opts.claimLength ?? payload.length;
  const head: number[] = [(fin ? 0x80 : 0) | (opcode & 0x0f)];
  if (len < 126) head.push((masked ? 0x80 : 0) | len);
  else if (len < 65536) head.push((masked ? 0x80 : 0) | 126, len >> 8, len & 0xff);
  else {
    head.push((masked ? 0x80 : 0) | 127);
    const big = Buffer.alloc(8);
    big.writeBigUInt64BE(BigInt(len));
    head.push(...big);
  }
  const key = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const body = masked ? Buffer.from(payload.map((b, i) => b ^ key[i % 4]!)) : payload;
  return Buffer.concat([Buffer.from(head), masked ? key : Buffer.alloc(0), body]);
}

/** WebSocket: handshakes with bad headers, and good handshakes followed by bad frames. */
export function wsCase(queues: readonly string[]): fc.Arbitrary<RawCase> {
  const q = fc.constantFrom(...queues);
  const handshake = (path: string, change: Record<string, string | null> = {}) => {
    const headers: Record<string, string | null> = {
      Host: '127.0.0.1', Upgrade: 'websocket', Connection: 'Upgrade', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version': '13', ...change,
    };
    const lines = Object.entries(headers).flatMap(([k, v]) => (v === null ? [] : [`${k}: ${v}`]));
    return `GET ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
  };
  const badHandshake = fc.tuple(q, fc.constantFrom<Record<string, string | null>>(
    { 'Sec-WebSocket-Version': '8' }, { 'Sec-WebSocket-Version': null }, { 'Sec-WebSocket-Key': 'short' }, { 'Sec-WebSocket-Key': '' }, { 'Sec-WebSocket-Key': null },
    { Upgrade: null }, { Upgrade: 'websocket2' }, { Connection: 'close' }, { 'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits=99' },
    { 'Sec-WebSocket-Protocol': 'a, , b' }, { Origin: 'null' },
  )).map(([name, change]) => handshake(`/ws/${name}`, change));
  const handshakeOnOtherRoutes = fc.constantFrom('/q/x', '/ws/', '/ws/QUEUESET', '/ws/%zz', '/ws/' + 'a'.repeat(200), '/sse/x', '/').map((p) => handshake(p));
  const frame = fc.oneof(
    fc.tuple(fc.constantFrom(1, 2), fc.oneof(bodyArb(queues).map((b) => b.bytes), hostileBytes(40))).map(([op, p]) => wsFrame(op, p)),
    q.map((name) => wsFrame(1, Buffer.from(JSON.stringify({ cmd: 'add', queue: name, value: 'from a fuzzed socket' })))),
    fc.constantFrom(
      wsFrame(1, Buffer.from([0xc3, 0x28])),
      wsFrame(1, Buffer.from('unmasked'), { masked: false }),
      wsFrame(3, Buffer.from('reserved opcode')),
      wsFrame(9, Buffer.alloc(200)),
      wsFrame(8, Buffer.from([0x03, 0xe7])),
      wsFrame(1, Buffer.from('claims more'), { claimLength: 2 ** 40 }),
      wsFrame(1, Buffer.from('frag'), { fin: false }),
      wsFrame(0, Buffer.from('continuation without a start')),
      Buffer.from([0xff, 0xff, 0xff]),
    ),
  );
  const upgradedThenFrames = fc.tuple(q, fc.array(frame, { minLength: 1, maxLength: 5 })).map(([name, frames]) => handshake(`/ws/${name}`) + frames.map((f) => f.toString('latin1')).join(''));
  return fc
    .tuple(fc.oneof(badHandshake, handshakeOnOtherRoutes, upgradedThenFrames), fc.array(fc.nat(), { maxLength: 3 }), fc.boolean())
    .map(([text, cuts, end]) => ({ kind: `ws ${text.split('\r\n')[0]!.slice(0, 80)}`, pieces: cut(Buffer.from(text, 'latin1'), cuts), gapMs: 0, end }));
}
