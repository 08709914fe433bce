/**
 * The digests SQS returns and SDKs check: MD5 of the body (UTF-8), and of message (or system)
 * attributes in SQS's binary encoding: attributes sorted by name, each as
 * len(name) name len(type) type transport(1 string/number, 2 binary) len(value) value,
 * lengths as 4-byte big-endian integers.
 */
import { createHash } from 'node:crypto';

export interface AttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

export type AttributeMap = Record<string, AttributeValue>;

export function md5Hex(data: string | Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

function field(parts: Buffer[], bytes: Buffer): void {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(bytes.length);
  parts.push(len, bytes);
}

/** MD5OfMessageAttributes / MD5OfMessageSystemAttributes; undefined for none. */
export function md5OfAttributes(attributes: AttributeMap | undefined): string | undefined {
  if (!attributes) return undefined;
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const parts: Buffer[] = [];
  for (const name of names) {
    const a = attributes[name]!;
    field(parts, Buffer.from(name, 'utf8'));
    field(parts, Buffer.from(a.DataType, 'utf8'));
    if (a.BinaryValue !== undefined) {
      parts.push(Buffer.from([2]));
      field(parts, Buffer.from(a.BinaryValue, 'base64'));
    } else {
      parts.push(Buffer.from([1]));
      field(parts, Buffer.from(a.StringValue ?? '', 'utf8'));
    }
  }
  return md5Hex(Buffer.concat(parts));
}
