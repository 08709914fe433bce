/**
 * multipart/form-data bodies (`curl -F value=x`), which the original read as arguments like
 * url-encoded forms (originals.md A.1.1). Fields only: a file part is refused; the same
 * cleaning rules apply (blank dropped, last wins, control characters, trimmed).
 */
import { Readable } from 'node:stream';
import busboy from 'busboy';
import type { IncomingHttpHeaders } from 'node:http';
import { BrokerError } from '../../errors.js';
import { cleanValue, decodeUtf8, type Args } from './args.js';

/** Parses the fields of a multipart body held in memory (its size was already bounded). */
export function parseMultipart(headers: IncomingHttpHeaders, body: Buffer, maxFieldBytes: number): Promise<Args> {
  return new Promise((resolve, reject) => {
    // Parts without a charset (curl -F, browsers) arrive as latin1, i.e. their exact bytes, and
    // are decoded strictly here. busboy decodes a declared charset itself, replacing bad bytes
    // with U+FFFD: then a U+FFFD is all there is to go by.
    const declaresCharset = /\r\ncontent-type:[^\r\n]*charset=/i.test(body.toString('latin1'));
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers, limits: { fieldSize: maxFieldBytes, files: 0, parts: 100 }, defCharset: declaresCharset ? 'utf8' : 'latin1', defParamCharset: 'utf8' });
    } catch {
      reject(new BrokerError('INVALID_ENCODING', 'malformed multipart/form-data (boundary missing?)'));
      return;
    }
    const args: Args = new Map();
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) return reject(new BrokerError('PAYLOAD_TOO_LARGE'));
      let text = value;
      if (!declaresCharset) {
        try {
          text = decodeUtf8(Buffer.from(value, 'latin1'));
        } catch (err) {
          return reject(err as Error);
        }
      } else if (!value.isWellFormed() || value.includes('\ufffd')) return reject(new BrokerError('INVALID_UTF8'));
      const cleaned = cleanValue(text);
      if (cleaned !== '') args.set(name, cleaned);
    });
    parser.on('filesLimit', () => reject(new BrokerError('UNSUPPORTED_MEDIA_TYPE', 'file parts are not accepted; send fields')));
    parser.on('partsLimit', () => reject(new BrokerError('INVALID_ENCODING', 'too many multipart parts')));
    parser.on('error', () => reject(new BrokerError('INVALID_ENCODING', 'malformed multipart/form-data')));
    parser.on('close', () => resolve(args));
    Readable.from([body]).pipe(parser);
  });
}
