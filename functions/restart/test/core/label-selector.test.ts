// REROLL_NAMESPACE_SELECTOR's grammar and the namespaceSelector object form, as tables: what parses
// to which requirements, what is refused with which message, and which labels match.
import { describe, expect, it } from 'vitest';
import {
  formatRequirements,
  matchesRequirements,
  parseLabelSelector,
  selectorRequirements,
  type Requirement,
} from '../../src/core/label-selector';

describe('parseLabelSelector', () => {
  const parses: Array<[string, Requirement[]]> = [
    ['reroll.dev/enabled=true', [{ key: 'reroll.dev/enabled', operator: 'In', values: ['true'] }]],
    ['reroll.dev/enabled==true', [{ key: 'reroll.dev/enabled', operator: 'In', values: ['true'] }]],
    ['tier!=legacy', [{ key: 'tier', operator: 'NotIn', values: ['legacy'] }]],
    ['env in (test, prod)', [{ key: 'env', operator: 'In', values: ['test', 'prod'] }]],
    ['env notin (dev)', [{ key: 'env', operator: 'NotIn', values: ['dev'] }]],
    ['team', [{ key: 'team', operator: 'Exists' }]],
    ['!legacy', [{ key: 'legacy', operator: 'DoesNotExist' }]],
    [
      'reroll.dev/enabled=true, env in (a,b),!legacy',
      [
        { key: 'reroll.dev/enabled', operator: 'In', values: ['true'] },
        { key: 'env', operator: 'In', values: ['a', 'b'] },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    ],
    ['empty-value=', [{ key: 'empty-value', operator: 'In', values: [''] }]],
  ];
  for (const [text, requirements] of parses) {
    it(`reads ${JSON.stringify(text)}`, () => {
      expect(parseLabelSelector(text)).toEqual({ ok: true, requirements });
    });
  }

  const refused: Array<[string, RegExp]> = [
    ['', /empty selector/],
    ['   ', /empty selector/],
    ['a=b,,c=d', /empty requirement/],
    ['reroll.dev/enabled=tr ue', /cannot read requirement/],
    ['Bad_Prefix/key=v', /invalid label key "Bad_Prefix\/key"/],
    ['key=-starts-with-dash', /invalid label value "-starts-with-dash"/],
    ['env in (a,b', /cannot read requirement/],
    [`k=${'v'.repeat(64)}`, /invalid label value/],
    [`${'k'.repeat(64)}=v`, /invalid label key/],
  ];
  for (const [text, error] of refused) {
    it(`refuses ${JSON.stringify(text)}`, () => {
      const parsed = parseLabelSelector(text);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.error).toMatch(error);
    });
  }
});

describe('selectorRequirements (an ApiServerSource namespaceSelector)', () => {
  it('matchLabels and matchExpressions become one list, all of which must hold', () => {
    expect(
      selectorRequirements({
        matchLabels: { 'reroll.dev/enabled': 'true' },
        matchExpressions: [
          { key: 'env', operator: 'In', values: ['test', 'prod'] },
          { key: 'legacy', operator: 'DoesNotExist' },
        ],
      }),
    ).toEqual({
      ok: true,
      requirements: [
        { key: 'reroll.dev/enabled', operator: 'In', values: ['true'] },
        { key: 'env', operator: 'In', values: ['test', 'prod'] },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    });
  });

  const refused: Array<[string, Parameters<typeof selectorRequirements>[0], RegExp]> = [
    [
      'In without values',
      { matchExpressions: [{ key: 'env', operator: 'In' }] },
      /matchExpressions\[0\]: operator In needs values/,
    ],
    [
      'Exists with values',
      { matchExpressions: [{ key: 'env', operator: 'Exists', values: ['x'] }] },
      /takes no values/,
    ],
    [
      'an unknown operator',
      { matchExpressions: [{ key: 'env', operator: 'Equals', values: ['x'] }] },
      /unknown operator "Equals"/,
    ],
    ['a bad matchLabels key', { matchLabels: { 'a b': 'x' } }, /matchLabels: invalid label key/],
  ];
  for (const [name, selector, error] of refused) {
    it(`refuses ${name}`, () => {
      const parsed = selectorRequirements(selector);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.error).toMatch(error);
    });
  }

  it('an empty selector matches every namespace (Kubernetes semantics)', () => {
    const parsed = selectorRequirements({});
    expect(parsed.ok && matchesRequirements(parsed.requirements, { any: 'thing' })).toBe(true);
  });
});

describe('matchesRequirements', () => {
  const enabled = { 'kubernetes.io/metadata.name': 'team-a', 'reroll.dev/enabled': 'true', env: 'test' };
  const disabled = { 'kubernetes.io/metadata.name': 'team-b', 'reroll.dev/enabled': 'false' };
  const unlabelled = { 'kubernetes.io/metadata.name': 'team-c' };
  const cases: Array<[string, Record<string, string>, boolean]> = [
    ['reroll.dev/enabled=true', enabled, true],
    ['reroll.dev/enabled=true', disabled, false],
    ['reroll.dev/enabled=true', unlabelled, false],
    ['reroll.dev/enabled!=false', enabled, true],
    ['reroll.dev/enabled!=false', disabled, false],
    ['reroll.dev/enabled!=false', unlabelled, true], // != matches a missing key, as in Kubernetes
    ['env in (test,prod)', enabled, true],
    ['env in (test,prod)', unlabelled, false],
    ['env notin (test)', enabled, false],
    ['env notin (test)', unlabelled, true],
    ['reroll.dev/enabled', disabled, true],
    ['!reroll.dev/enabled', disabled, false],
    ['!reroll.dev/enabled', unlabelled, true],
    ['reroll.dev/enabled=true,env=prod', enabled, false],
  ];
  for (const [text, labels, expected] of cases) {
    it(`${text} on ${labels['kubernetes.io/metadata.name']} → ${expected}`, () => {
      const parsed = parseLabelSelector(text);
      expect(parsed.ok).toBe(true);
      if (parsed.ok) expect(matchesRequirements(parsed.requirements, labels)).toBe(expected);
    });
  }
});

describe('formatRequirements', () => {
  it('writes what the API server reads back to the same requirements', () => {
    for (const text of ['reroll.dev/enabled=true', 'a!=b,c in (d,e),f notin (g,h),i,!j']) {
      const parsed = parseLabelSelector(text);
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) continue;
      expect(formatRequirements(parsed.requirements)).toBe(text);
      expect(parseLabelSelector(formatRequirements(parsed.requirements))).toEqual(parsed);
    }
  });
});
