// Nothing a client or a mounted file can contain crashes hello: properties over arbitrary input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMessageFile } from '../src/message';
import { prefersJson, wantsJson } from '../src/wants-json';

describe('arbitrary input', () => {
  it('any Accept header gets a yes/no answer, never an exception', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (accept) => {
        expect(typeof prefersJson(accept)).toBe('boolean');
        expect(wantsJson(accept)).toBe(prefersJson(accept));
      }),
      { numRuns: 500 },
    );
  });

  it('any file content gives a message or a reason, never an exception', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const parsed = parseMessageFile(text, '/m');
        expect(parsed.ok ? typeof parsed.message : parsed.error).toEqual(expect.any(String));
      }),
      { numRuns: 500 },
    );
  });

  it('text without a MESSAGE= line comes back as written, minus one trailing newline', () => {
    const plain = fc.string().filter((s) => s.trim() !== '' && !/MESSAGE\s*=/.test(s));
    fc.assert(
      fc.property(plain, (text) => {
        expect(parseMessageFile(`${text}\n`, '/m')).toEqual({ ok: true, message: text });
      }),
      { numRuns: 300 },
    );
  });
});
