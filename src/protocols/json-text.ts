/**
 * JSON text as the original wrote it: Python's json.dumps default separators (", " and ": "),
 * so replies read the same as before. Parsed, it equals JSON.stringify's output.
 * `<`, `>` and `&` are escaped (\u003c...) because legacy replies are served as text/html:
 * a stored "<script>" must never render as markup.
 */
const UNSAFE = /[<>&\u2028\u2029]/;
const UNSAFE_ALL = /[<>&\u2028\u2029]/g;
const ESCAPES: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

/** A JSON string literal, HTML-safe. */
export function str(s: string): string {
  const json = JSON.stringify(s);
  return UNSAFE.test(json) ? json.replace(UNSAFE_ALL, (c) => ESCAPES[c] ?? c) : json;
}

export type Json = string | number | boolean | null | Json[] | { [k: string]: Json | undefined };

/** Serialises with Python-style separators, keys in insertion order, undefined fields dropped. */
export function pyJson(value: Json): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return str(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
  }
  if (Array.isArray(value)) return '[' + value.map(pyJson).join(', ') + ']';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    if (v !== undefined) parts.push(str(k) + ': ' + pyJson(v));
  }
  return '{' + parts.join(', ') + '}';
}
