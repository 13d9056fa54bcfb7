import { describe, expect, it } from 'vitest';
import { findReferences, type ConfigUse } from '../../src/core/find-references';

const cases: Array<{ name: string; podSpec: Record<string, unknown>; expected: ConfigUse[] }> = [
  {
    name: 'envFrom configMapRef: every key',
    podSpec: { containers: [{ name: 'a', envFrom: [{ configMapRef: { name: 'cm' } }] }] },
    expected: [{ kind: 'ConfigMap', name: 'cm', keys: null, optional: false }],
  },
  {
    name: 'env valueFrom configMapKeyRef narrows to the key',
    podSpec: {
      containers: [
        { name: 'a', env: [{ name: 'M', valueFrom: { configMapKeyRef: { name: 'cm', key: 'ENV_MESSAGE' } } }] },
      ],
    },
    expected: [{ kind: 'ConfigMap', name: 'cm', keys: ['ENV_MESSAGE'], optional: false }],
  },
  {
    name: 'two keyRefs to one ConfigMap merge their keys',
    podSpec: {
      containers: [
        {
          name: 'a',
          env: [
            { name: 'B', valueFrom: { configMapKeyRef: { name: 'cm', key: 'SECOND_KEY' } } },
            { name: 'A', valueFrom: { configMapKeyRef: { name: 'cm', key: 'ENV_MESSAGE' } } },
          ],
        },
      ],
    },
    expected: [{ kind: 'ConfigMap', name: 'cm', keys: ['ENV_MESSAGE', 'SECOND_KEY'], optional: false }],
  },
  {
    name: 'a keyRef plus a whole-object ref uses every key',
    podSpec: {
      containers: [
        {
          name: 'a',
          envFrom: [{ configMapRef: { name: 'cm' } }],
          env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'cm', key: 'K' } } }],
        },
      ],
    },
    expected: [{ kind: 'ConfigMap', name: 'cm', keys: null, optional: false }],
  },
  {
    name: 'configMap volume with items narrows to item keys',
    podSpec: {
      containers: [{ name: 'a' }],
      volumes: [{ name: 'v', configMap: { name: 'cm', items: [{ key: 'config.cfg', path: 'config.cfg' }] } }],
    },
    expected: [{ kind: 'ConfigMap', name: 'cm', keys: ['config.cfg'], optional: false }],
  },
  {
    name: 'secret volume uses secretName',
    podSpec: { containers: [{ name: 'a' }], volumes: [{ name: 'v', secret: { secretName: 'sec', optional: true } }] },
    expected: [{ kind: 'Secret', name: 'sec', keys: null, optional: true }],
  },
  {
    name: 'projected sources: configMap and secret',
    podSpec: {
      containers: [{ name: 'a' }],
      volumes: [
        {
          name: 'p',
          projected: {
            sources: [
              { configMap: { name: 'cm', items: [{ key: 'k1', path: 'k1' }] } },
              { secret: { name: 'sec' } },
              { serviceAccountToken: { path: 't' } },
            ],
          },
        },
      ],
    },
    expected: [
      { kind: 'ConfigMap', name: 'cm', keys: ['k1'], optional: false },
      { kind: 'Secret', name: 'sec', keys: null, optional: false },
    ],
  },
  {
    name: 'initContainers count too',
    podSpec: {
      initContainers: [{ name: 'init', envFrom: [{ secretRef: { name: 'init-secret' } }] }],
      containers: [{ name: 'a' }],
    },
    expected: [{ kind: 'Secret', name: 'init-secret', keys: null, optional: false }],
  },
  {
    name: 'secretKeyRef',
    podSpec: {
      containers: [{ name: 'a', env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 'sec', key: 'PASSWORD' } } }] }],
    },
    expected: [{ kind: 'Secret', name: 'sec', keys: ['PASSWORD'], optional: false }],
  },
  {
    name: 'optional only when every reference is optional',
    podSpec: {
      containers: [
        { name: 'a', envFrom: [{ configMapRef: { name: 'cm', optional: true } }] },
        { name: 'b', envFrom: [{ configMapRef: { name: 'cm' } }] },
      ],
    },
    expected: [{ kind: 'ConfigMap', name: 'cm', keys: null, optional: false }],
  },
  {
    name: 'plain values, fieldRefs and emptyDirs are not config uses',
    podSpec: {
      containers: [
        {
          name: 'a',
          env: [
            { name: 'X', value: 'y' },
            { name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          ],
        },
      ],
      volumes: [{ name: 'tmp', emptyDir: {} }],
    },
    expected: [],
  },
  {
    name: 'garbage shapes are ignored, not thrown on',
    podSpec: {
      containers: 'nope',
      volumes: [null, 3, { configMap: 'x' }],
      initContainers: [{ env: [{ valueFrom: null }] }],
    },
    expected: [],
  },
];

describe('findReferences', () => {
  for (const c of cases) it(c.name, () => expect(findReferences(c.podSpec)).toEqual(c.expected));
});
