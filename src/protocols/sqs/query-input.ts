/**
 * The query protocol's flattened parameters (`Attribute.1.Name=...`,
 * `SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.StringValue=...`) turned into the
 * JSON protocol's input shapes, so the actions read one shape whichever protocol spoke.
 * Values are decoded exactly (no trimming): bodies are checked against their MD5.
 */
import { SqsError } from './errors.js';

type Tree = { [k: string]: Tree | string };

/** Flattened lists of entries, by their query name → JSON member. */
const LISTS: Record<string, string> = {
  SendMessageBatchRequestEntry: 'Entries',
  DeleteMessageBatchRequestEntry: 'Entries',
  ChangeMessageVisibilityBatchRequestEntry: 'Entries',
  AttributeName: 'AttributeNames',
  MessageAttributeName: 'MessageAttributeNames',
  MessageSystemAttributeName: 'MessageSystemAttributeNames',
  TagKey: 'TagKeys',
};

/** Flattened maps: query name → [JSON member, key field, value field]. */
const MAPS: Record<string, [string, string, string]> = {
  Attribute: ['Attributes', 'Name', 'Value'],
  MessageAttribute: ['MessageAttributes', 'Name', 'Value'],
  MessageSystemAttribute: ['MessageSystemAttributes', 'Name', 'Value'],
  Tag: ['Tags', 'Key', 'Value'],
};

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    throw new SqsError('MalformedQueryString', 'The query string is not properly percent-encoded.');
  }
}

/** `a=1&b.1.c=2` → { a: '1', b: { '1': { c: '2' } } }. */
export function parseQueryForm(text: string): Tree {
  const root: Tree = {};
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    const path = name.split('.');
    let node = root;
    for (let i = 0; i < path.length - 1; i++) {
      const next = node[path[i]!];
      if (typeof next === 'string') throw new SqsError('MalformedQueryString', `${name} conflicts with another parameter.`);
      node = next ?? (node[path[i]!] = {});
    }
    const last = path[path.length - 1]!;
    if (typeof node[last] === 'object') throw new SqsError('MalformedQueryString', `${name} conflicts with another parameter.`);
    node[last] = value;
  }
  return root;
}

/** The numbered members of a flattened list, in index order. */
function numbered(node: Tree | string): (Tree | string)[] {
  if (typeof node === 'string') return [node];
  return Object.keys(node)
    .filter((k) => /^[1-9][0-9]*$/.test(k))
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => node[k]!);
}

/** The JSON-protocol input of a query tree. */
export function toJsonInput(tree: Tree): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(tree)) {
    const list = LISTS[k];
    const map = MAPS[k];
    if (list) out[list] = numbered(v).map((e) => (typeof e === 'string' ? e : toJsonInput(e)));
    else if (map) {
      const [member, keyField, valueField] = map;
      const m: Record<string, unknown> = {};
      for (const e of numbered(v)) {
        if (typeof e === 'string') continue;
        const key = e[keyField];
        const value = e[valueField];
        if (typeof key !== 'string') continue;
        m[key] = typeof value === 'object' ? toJsonInput(value) : value;
      }
      out[member] = m;
    } else out[k] = typeof v === 'string' ? v : toJsonInput(v);
  }
  return out;
}
