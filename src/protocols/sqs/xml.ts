/**
 * Query-protocol replies: the JSON-shaped output of an action written as the XML SQS sends
 * (`<ActionResponse xmlns=...><ActionResult>...</ActionResult><ResponseMetadata>`), lists and
 * maps flattened as the 2012-11-05 model says (`<Message>` repeated, `<Attribute><Name/><Value/>`).
 * The shapes are few and fixed, so a string builder is all it takes.
 */
import { SQS_ERRORS, type SqsError } from './errors.js';

export const SQS_NAMESPACE = 'http://queue.amazonaws.com/doc/2012-11-05/';

/** Flattened lists: JSON member → repeated element (batch results per action, below). */
const LISTS: Record<string, string> = {
  QueueUrls: 'QueueUrl',
  queueUrls: 'QueueUrl',
  Messages: 'Message',
  Failed: 'BatchResultErrorEntry',
  Results: 'ListMessageMoveTasksResultEntry',
};

/** Flattened maps: JSON member → [element, key element, value element]. */
const MAPS: Record<string, [string, string, string]> = {
  Attributes: ['Attribute', 'Name', 'Value'],
  MessageAttributes: ['MessageAttribute', 'Name', 'Value'],
  Tags: ['Tag', 'Key', 'Value'],
};

export function escapeXml(s: string): string {
  return s.replace(/[&<>"'\r]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#xD;' })[c]!);
}

function value(v: unknown): string {
  if (v !== null && typeof v === 'object') return members(v as Record<string, unknown>, '');
  return escapeXml(String(v));
}

function members(o: Record<string, unknown>, action: string): string {
  let out = '';
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    const map = MAPS[k];
    if (Array.isArray(v)) {
      const el = k === 'Successful' ? `${action}ResultEntry` : (LISTS[k] ?? k);
      for (const e of v) out += `<${el}>${value(e)}</${el}>`;
    } else if (map && typeof v === 'object' && v !== null) {
      const [el, key, val] = map;
      for (const [name, x] of Object.entries(v)) out += `<${el}><${key}>${escapeXml(name)}</${key}><${val}>${value(x)}</${val}></${el}>`;
    } else out += `<${k}>${value(v)}</${k}>`;
  }
  return out;
}

export function xmlResponse(action: string, output: Record<string, unknown>, requestId: string): string {
  const result = Object.keys(output).length === 0 ? '' : `<${action}Result>${members(output, action)}</${action}Result>`;
  return `<?xml version="1.0"?><${action}Response xmlns="${SQS_NAMESPACE}">${result}` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
}

export function xmlError(err: SqsError, requestId: string): string {
  return `<?xml version="1.0"?><ErrorResponse xmlns="${SQS_NAMESPACE}"><Error><Type>${err.fault}</Type>` +
    `<Code>${escapeXml(SQS_ERRORS[err.code].query)}</Code><Message>${escapeXml(err.message)}</Message><Detail/></Error>` +
    `<RequestId>${requestId}</RequestId></ErrorResponse>`;
}
