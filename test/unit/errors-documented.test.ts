/**
 * The error catalogue (src/errors.ts) and the error table of docs/http-api.md agree: every code is
 * documented with its status, and the table lists no code the broker does not have.
 * A table row looks like: | `CODE` | 400 | message |
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERRORS, type ErrorCode } from '../../src/errors.js';

const TABLE_DOC = new URL('../../docs/http-api.md', import.meta.url);

/** code → statuses documented (a list, so a duplicated row is caught). */
function documentedCodes(text: string): Map<string, number[]> {
  const rows = new Map<string, number[]>();
  for (const line of text.split('\n')) {
    const m = /^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|\s*(\d{3})\s*\|/.exec(line);
    if (!m) continue;
    rows.set(m[1]!, [...(rows.get(m[1]!) ?? []), Number(m[2])]);
  }
  return rows;
}

describe('the documented error table', () => {
  const text = readFileSync(TABLE_DOC, 'utf8');
  const documented = documentedCodes(text);

  it('has an error table', () => {
    assert.ok(documented.size > 0, 'no row like | `CODE` | 400 | ... | in docs/http-api.md');
  });

  for (const code of Object.keys(ERRORS) as ErrorCode[]) {
    it(`documents ${code} with status ${ERRORS[code].status}`, () => {
      const statuses = documented.get(code);
      assert.ok(statuses, `${code} is missing from the error table of docs/http-api.md`);
      assert.deepEqual(statuses, [ERRORS[code].status], `${code}: docs/http-api.md says ${statuses.join(', ')}`);
    });
  }

  it('lists no code the catalogue does not have', () => {
    const unknown = [...documented.keys()].filter((c) => !Object.hasOwn(ERRORS, c));
    assert.deepEqual(unknown, []);
  });
});
