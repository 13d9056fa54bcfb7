import { describe, expect, it } from 'vitest';
import type { ConfigMapLike, PodTemplate, SecretLike } from '../../src/runner/kube-shapes';
import { resolvePodInputs } from '../../src/runner/resolve-pod-inputs';

const configMap: ConfigMapLike = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name: 'helloworld-test',
    namespace: 'helloworld',
    labels: { app: 'helloworld', env: 'test' },
    annotations: { 'rolling.restart.controller/triggerRestart': 'true' },
  },
  data: { ENV_MESSAGE: 'hello from test environment', MESSAGE: 'file message\n' },
  binaryData: { 'logo.bin': Buffer.from([0, 1, 2]).toString('base64') },
};
const secret: SecretLike = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'helloworld-token', namespace: 'helloworld' },
  data: { TOKEN: Buffer.from('s3cret').toString('base64') },
};

function template(container: object, volumes: object[] = []): PodTemplate {
  return {
    metadata: { labels: { app: 'helloworld', env: 'test' } },
    spec: { containers: [{ name: 'hello', image: 'reroll/hello:dev', ...container }], volumes } as PodTemplate['spec'],
  };
}

interface Case {
  name: string;
  template: PodTemplate;
  env?: Record<string, string>;
  files?: Record<string, string>;
  errors?: RegExp[];
  warnings?: RegExp[];
}

const cases: Case[] = [
  {
    name: 'env value and configMapKeyRef',
    template: template({
      env: [
        { name: 'PLAIN', value: 'x' },
        { name: 'ENV_MESSAGE', valueFrom: { configMapKeyRef: { name: 'helloworld-test', key: 'ENV_MESSAGE' } } },
      ],
    }),
    env: { PLAIN: 'x', ENV_MESSAGE: 'hello from test environment' },
  },
  {
    name: 'secretKeyRef is base64-decoded',
    template: template({
      env: [{ name: 'T', valueFrom: { secretKeyRef: { name: 'helloworld-token', key: 'TOKEN' } } }],
    }),
    env: { T: 's3cret' },
  },
  {
    name: 'envFrom with prefix, and env wins over envFrom',
    template: template({
      envFrom: [
        { prefix: 'CFG_', configMapRef: { name: 'helloworld-test' } },
        { secretRef: { name: 'helloworld-token' } },
      ],
      env: [{ name: 'TOKEN', value: 'explicit' }],
    }),
    env: {
      CFG_ENV_MESSAGE: 'hello from test environment',
      CFG_MESSAGE: 'file message\n',
      'CFG_logo.bin': '\u0000\u0001\u0002',
      TOKEN: 'explicit',
    },
  },
  {
    name: 'missing key is an error unless optional',
    template: template({
      env: [
        { name: 'A', valueFrom: { configMapKeyRef: { name: 'helloworld-test', key: 'NOPE' } } },
        { name: 'B', valueFrom: { configMapKeyRef: { name: 'absent', key: 'X', optional: true } } },
      ],
    }),
    env: {},
    errors: [/env A: key "NOPE" not found in configmap "helloworld-test"/],
  },
  {
    name: 'missing envFrom configmap is an error',
    template: template({ envFrom: [{ configMapRef: { name: 'absent' } }] }),
    env: {},
    errors: [/envFrom: configmap "absent" not found/],
  },
  {
    name: 'fieldRef and $(VAR) expansion',
    template: template({
      env: [
        { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'ENVLABEL', valueFrom: { fieldRef: { fieldPath: "metadata.labels['env']" } } },
        { name: 'GREETING', value: 'pod $(POD) in $(ENVLABEL), $$(POD) and $(UNKNOWN)' },
      ],
    }),
    env: {
      POD: 'helloworld-test-abc',
      ENVLABEL: 'test',
      GREETING: 'pod helloworld-test-abc in test, $(POD) and $(UNKNOWN)',
    },
  },
  {
    name: 'configMap volume mounts every key; env pointing into the mount is rewritten',
    template: template(
      {
        env: [
          { name: 'MESSAGE_FILE', value: '/etc/hello/MESSAGE' },
          { name: 'OTHER', value: '/etc/hellox' },
        ],
        volumeMounts: [{ name: 'config', mountPath: '/etc/hello', readOnly: true }],
      },
      [{ name: 'config', configMap: { name: 'helloworld-test' } }],
    ),
    env: { MESSAGE_FILE: '/pod/etc/hello/MESSAGE', OTHER: '/etc/hellox' },
    files: {
      '/pod/etc/hello/ENV_MESSAGE': 'hello from test environment',
      '/pod/etc/hello/MESSAGE': 'file message\n',
      '/pod/etc/hello/logo.bin': '\u0000\u0001\u0002',
    },
  },
  {
    name: 'items pick keys and rename them into subfolders',
    template: template({ volumeMounts: [{ name: 'config', mountPath: '/config' }] }, [
      { name: 'config', configMap: { name: 'helloworld-test', items: [{ key: 'MESSAGE', path: 'msg/message.txt' }] } },
    ]),
    files: { '/pod/config/msg/message.txt': 'file message\n' },
  },
  {
    name: 'projected volume merges configmap and secret',
    template: template({ volumeMounts: [{ name: 'all', mountPath: '/var/run/all' }] }, [
      {
        name: 'all',
        projected: {
          sources: [
            { configMap: { name: 'helloworld-test', items: [{ key: 'ENV_MESSAGE', path: 'message' }] } },
            { secret: { name: 'helloworld-token' } },
            { serviceAccountToken: { path: 'token' } },
          ],
        },
      },
    ]),
    files: { '/pod/var/run/all/message': 'hello from test environment', '/pod/var/run/all/TOKEN': 's3cret' },
    warnings: [/only configMap and secret projections are emulated/],
  },
  {
    name: 'subPath mounts one file',
    template: template({ volumeMounts: [{ name: 'config', mountPath: '/app/message.txt', subPath: 'MESSAGE' }] }, [
      { name: 'config', configMap: { name: 'helloworld-test' } },
    ]),
    files: { '/pod/app/message.txt': 'file message\n' },
  },
  {
    name: 'secret volume',
    template: template({ volumeMounts: [{ name: 's', mountPath: '/secrets' }] }, [
      { name: 's', secret: { secretName: 'helloworld-token' } },
    ]),
    files: { '/pod/secrets/TOKEN': 's3cret' },
  },
  {
    name: 'missing configmap volume is an error; optional one mounts empty',
    template: template(
      {
        volumeMounts: [
          { name: 'gone', mountPath: '/gone' },
          { name: 'maybe', mountPath: '/maybe' },
        ],
      },
      [
        { name: 'gone', configMap: { name: 'absent' } },
        { name: 'maybe', configMap: { name: 'absent', optional: true } },
      ],
    ),
    files: {},
    errors: [/volume "gone": configmap "absent" not found/],
  },
  {
    name: 'mount of an undefined volume, relative and escaping paths are errors',
    template: template(
      {
        volumeMounts: [
          { name: 'nope', mountPath: '/x' },
          { name: 'config', mountPath: 'relative' },
          { name: 'config', mountPath: '/etc/../root' },
        ],
      },
      [{ name: 'config', configMap: { name: 'helloworld-test' } }],
    ),
    errors: [/volume "nope" is not defined/, /mountPath must be absolute/, /"\.\." is not allowed/],
  },
  {
    name: 'item path escaping the volume is an error',
    template: template({ volumeMounts: [{ name: 'config', mountPath: '/config' }] }, [
      { name: 'config', configMap: { name: 'helloworld-test', items: [{ key: 'MESSAGE', path: '../../etc/passwd' }] } },
    ]),
    errors: [/must be relative and stay inside the volume/],
  },
  {
    name: 'a template without containers is an error',
    template: { spec: {} },
    errors: [/no containers/],
  },
];

describe('resolvePodInputs', () => {
  for (const c of cases) {
    it(c.name, () => {
      const got = resolvePodInputs({
        template: c.template,
        configMaps: new Map([['helloworld-test', configMap]]),
        secrets: new Map([['helloworld-token', secret]]),
        podDir: '/pod',
        podName: 'helloworld-test-abc',
        namespace: 'helloworld',
      });
      if (c.env) expect(got.env).toEqual(c.env);
      if (c.files) {
        expect(Object.fromEntries(got.files.map((f) => [f.path, f.content.toString('utf8')]))).toEqual(c.files);
      }
      expect(got.errors).toHaveLength(c.errors?.length ?? 0);
      for (const [i, re] of (c.errors ?? []).entries()) expect(got.errors[i]).toMatch(re);
      expect(got.warnings).toHaveLength(c.warnings?.length ?? 0);
      for (const [i, re] of (c.warnings ?? []).entries()) expect(got.warnings[i]).toMatch(re);
    });
  }
});
