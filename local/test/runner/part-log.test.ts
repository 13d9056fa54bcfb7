import { describe, expect, it } from 'vitest';
import { createPartLogger, formatPartLine } from '../../src/runner/part-log';

describe('part logs', () => {
  const cases: { name: string; part: string; line: string; want: string[] }[] = [
    { name: 'prefix padded so bars align', part: 'source', line: 'sent', want: ['source     | sent'] },
    { name: 'a long part name is kept whole', part: 'hello-staging', line: 'x', want: ['hello-staging | x'] },
    {
      name: 'each line of a multi-line message gets the prefix',
      part: 'restart',
      line: 'a\nb',
      want: ['restart    | a', 'restart    | b'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const out: string[] = [];
      createPartLogger((t) => out.push(t))(c.part)(c.line);
      expect(out.join('')).toBe(c.want.map((w) => `${w}\n`).join(''));
    });
  }

  it('colours the prefix only when asked (a terminal)', () => {
    expect(formatPartLine('api', 'x', 36)).toBe('\u001b[36mapi        |\u001b[0m x');
    const out: string[] = [];
    createPartLogger((t) => out.push(t), true)('api')('x');
    expect(out[0]).toContain('\u001b[');
  });
});
