import { describe, expect, it } from 'vitest';
import { hashConfig, hashConfigs } from '../../src/core/hash-config';
import type { KubeObject } from '../../src/core/types';

const cm = (
  data: Record<string, string>,
  binaryData?: Record<string, string>,
  extra: Partial<KubeObject> = {},
): KubeObject => ({
  kind: 'ConfigMap',
  metadata: { name: 'c', namespace: 'demo' },
  data,
  ...(binaryData ? { binaryData } : {}),
  ...extra,
});

const same: Array<[string, KubeObject, KubeObject]> = [
  ['key order does not matter', cm({ A: '1', B: '2' }), cm({ B: '2', A: '1' })],
  [
    'metadata does not count',
    cm({ A: '1' }),
    cm({ A: '1' }, undefined, {
      metadata: { name: 'c', namespace: 'demo', annotations: { x: 'y' }, resourceVersion: '9' },
    }),
  ],
];
const different: Array<[string, KubeObject, KubeObject]> = [
  ['a value change', cm({ A: '1' }), cm({ A: '2' })],
  ['a newline cannot forge another line', cm({ A: '1\nB=2' }), cm({ A: '1', B: '2' })],
  ['data vs binaryData with the same text', cm({ A: 'AAE=' }), cm({}, { A: 'AAE=' })],
  ['a binaryData change', cm({}, { blob: 'AAE=' }), cm({}, { blob: 'AAI=' })],
  ['an added key', cm({ A: '1' }), cm({ A: '1', B: '2' })],
];

describe('hashConfig', () => {
  for (const [name, a, b] of same) it(`equal: ${name}`, () => expect(hashConfig(a)).toBe(hashConfig(b)));
  for (const [name, a, b] of different) it(`differs: ${name}`, () => expect(hashConfig(a)).not.toBe(hashConfig(b)));
  it('only the named keys count', () =>
    expect(hashConfig(cm({ A: '1', B: '2' }), ['A'])).toBe(hashConfig(cm({ A: '1', B: '3' }), ['A'])));
  it('a named key that is absent is a state of its own', () =>
    expect(hashConfig(cm({ B: '1' }), ['A'])).not.toBe(hashConfig(cm({ A: '' }), ['A'])));
  it('a missing config contributes a stable marker', () => {
    const uses = [{ kind: 'ConfigMap' as const, name: 'gone', keys: null, optional: true }];
    expect(hashConfigs(uses, () => null)).toBe(hashConfigs(uses, () => null));
    expect(hashConfigs(uses, () => null)).not.toBe(hashConfigs(uses, () => cm({})));
  });
  it('the order of the configs a workload uses does not matter', () => {
    const a = { kind: 'ConfigMap' as const, name: 'a', keys: null, optional: false };
    const b = { kind: 'Secret' as const, name: 'b', keys: null, optional: false };
    const lookup = (u: { name: string }) => cm({ V: u.name });
    expect(hashConfigs([a, b], lookup)).toBe(hashConfigs([b, a], lookup));
  });
});
