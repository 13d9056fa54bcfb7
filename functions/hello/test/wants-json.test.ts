import { describe, expect, it } from 'vitest';
import { prefersJson, wantsJson } from '../src/wants-json';

describe('GET / content negotiation', () => {
  const cases: Array<[string | undefined, boolean]> = [
    [undefined, false],
    ['', false],
    ['*/*', false], // curl's default: the historic text answer
    ['text/plain', false],
    ['application/json', true],
    ['Application/JSON', true],
    ['application/json, text/plain;q=0.5', true],
    ['text/plain, application/json', false], // a tie goes to text
    ['text/plain;q=0.2, application/json;q=0.9', true],
    ['text/*;q=0.3, application/*', true],
    ['application/json;q=0', false],
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', false], // a browser
    ['application/json;q=oops, text/plain', false], // a broken q is ignored, not a crash
    ['garbage', false],
  ];
  for (const [accept, json] of cases) {
    it(`${JSON.stringify(accept)} -> ${json ? 'JSON' : 'text'}`, () => {
      expect(prefersJson(accept)).toBe(json);
      expect(wantsJson(accept)).toBe(json);
      expect(wantsJson(accept)).toBe(json); // the memoised answer is the same
    });
  }
});
