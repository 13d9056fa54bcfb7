import { describe, expect, it } from 'vitest';
import { DEFAULT_EXCLUDED, loadConfig } from '../src/config';

describe('loadConfig', () => {
  it('defaults: own namespace, system namespaces excluded, both, ignore, text, info, 8080', () => {
    expect(loadConfig({}, { ownNamespace: 'demo' })).toEqual({
      ok: true,
      config: {
        namespaces: ['demo'],
        excludeNamespaces: DEFAULT_EXCLUDED,
        match: 'both',
        onDelete: 'ignore',
        dryRun: false,
        logFormat: 'text',
        logLevel: 'info',
        port: 8080,
      },
    });
  });

  const valid: Array<[string, Record<string, string>, Record<string, unknown>]> = [
    ['namespace list', { REROLL_NAMESPACES: 'demo, prod' }, { namespaces: ['demo', 'prod'] }],
    ['own exclusions', { REROLL_EXCLUDE_NAMESPACES: 'legacy' }, { excludeNamespaces: ['legacy'] }],
    [
      'reference mode, roll on delete, dry run, json debug',
      {
        REROLL_MATCH: 'reference',
        REROLL_ON_DELETE: 'roll',
        REROLL_DRY_RUN: 'true',
        LOG_FORMAT: 'json',
        LOG_LEVEL: 'debug',
      },
      { match: 'reference', onDelete: 'roll', dryRun: true, logFormat: 'json', logLevel: 'debug' },
    ],
    ['port', { PORT: '9090' }, { port: 9090 }],
    ['rollout budget', { REROLL_MAX_ROLLOUTS_PER_MINUTE: '50' }, { maxRolloutsPerMinute: 50 }],
    [
      'decision sink (SinkBinding)',
      { K_SINK: 'http://broker-ingress.knative-eventing.svc/ns/reroll' },
      { sink: 'http://broker-ingress.knative-eventing.svc/ns/reroll' },
    ],
    ['only some kinds', { REROLL_KINDS: 'Deployment, Service' }, { kinds: ['Deployment', 'Service'] }],
    ['CronJobs and Argo Rollouts only', { REROLL_KINDS: 'CronJob,Rollout' }, { kinds: ['CronJob', 'Rollout'] }],
  ];
  for (const [name, env, expected] of valid) {
    it(name, () => {
      const result = loadConfig(env, { ownNamespace: 'demo' });
      expect(result.ok).toBe(true);
      if (result.ok) expect(result.config).toMatchObject(expected);
    });
  }

  it('reports every error at once, each naming its variable', () => {
    const result = loadConfig({
      REROLL_NAMESPACES: 'Demo_NS',
      REROLL_MATCH: 'name',
      REROLL_ON_DELETE: 'restart',
      REROLL_DRY_RUN: 'maybe',
      LOG_FORMAT: 'xml',
      LOG_LEVEL: 'loud',
      PORT: '80a',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.split(':')[0])).toEqual([
      'REROLL_NAMESPACES',
      'REROLL_MATCH',
      'REROLL_ON_DELETE',
      'LOG_FORMAT',
      'LOG_LEVEL',
      'REROLL_DRY_RUN',
      'PORT',
    ]);
  });

  it('no budget and no sink by default; 0 means no budget', () => {
    for (const env of [{}, { REROLL_MAX_ROLLOUTS_PER_MINUTE: '0' }, { K_SINK: '' }]) {
      const result = loadConfig(env, { ownNamespace: 'demo' });
      expect(result.ok && result.config.maxRolloutsPerMinute).toBe(undefined);
      expect(result.ok && result.config.sink).toBe(undefined);
    }
  });

  it('a bad budget and a bad sink are reported together with the rest', () => {
    const result = loadConfig(
      { REROLL_MAX_ROLLOUTS_PER_MINUTE: 'fifty', K_SINK: 'broker:80', REROLL_MATCH: 'name' },
      { ownNamespace: 'demo' },
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.split(':')[0])).toEqual([
      'REROLL_MATCH',
      'REROLL_MAX_ROLLOUTS_PER_MINUTE',
      'K_SINK',
    ]);
  });

  it('an unknown kind names the kinds there are', () => {
    expect(loadConfig({ REROLL_KINDS: 'Deployment,Pod' }, { ownNamespace: 'demo' })).toMatchObject({
      ok: false,
      errors: [expect.stringMatching(/^REROLL_KINDS: "Pod" is not one of Deployment\|StatefulSet/)],
    });
    // kubectl's lower-case names are not the setting's spelling (Kind names, as the decisions say)
    expect(loadConfig({ REROLL_KINDS: 'cronjob' }, { ownNamespace: 'demo' })).toMatchObject({
      ok: false,
      errors: ['REROLL_KINDS: "cronjob" is not one of Deployment|StatefulSet|DaemonSet|CronJob|Rollout|Service'],
    });
  });

  it('a namespace selector: parsed once, the own namespace is no longer a default', () => {
    const result = loadConfig(
      { REROLL_NAMESPACE_SELECTOR: ' reroll.dev/enabled=true ' },
      { ownNamespace: 'reroll-system' },
    );
    expect(result).toMatchObject({
      ok: true,
      config: {
        namespaces: [],
        excludeNamespaces: DEFAULT_EXCLUDED,
        namespaceSelector: {
          text: 'reroll.dev/enabled=true',
          requirements: [{ key: 'reroll.dev/enabled', operator: 'In', values: ['true'] }],
        },
      },
    });
  });

  it('a namespace selector with REROLL_NAMESPACES keeps the list (it narrows the selector)', () => {
    const result = loadConfig({ REROLL_NAMESPACE_SELECTOR: 'team', REROLL_NAMESPACES: 'a,b' }, { ownNamespace: 'x' });
    expect(result.ok && result.config.namespaces).toEqual(['a', 'b']);
  });

  it('an empty namespace selector means none (the namespaced install)', () => {
    const result = loadConfig({ REROLL_NAMESPACE_SELECTOR: '' }, { ownNamespace: 'demo' });
    expect(result.ok && result.config).toMatchObject({ namespaces: ['demo'] });
    expect(result.ok && result.config.namespaceSelector).toBe(undefined);
  });

  it('a selector that does not parse is reported with the other errors', () => {
    const result = loadConfig({ REROLL_NAMESPACE_SELECTOR: 'reroll.dev/enabled in true', REROLL_MATCH: 'name' });
    expect(result).toMatchObject({
      ok: false,
      errors: [
        expect.stringMatching(/^REROLL_NAMESPACE_SELECTOR: cannot read requirement "reroll.dev\/enabled in true"/),
        expect.stringMatching(/^REROLL_MATCH/),
      ],
    });
  });

  it('no namespace known at all is an error', () => {
    expect(loadConfig({})).toMatchObject({ ok: false, errors: [expect.stringMatching(/^REROLL_NAMESPACES: not set/)] });
  });

  it('serving only excluded namespaces is an error', () => {
    expect(loadConfig({ REROLL_NAMESPACES: 'kube-system' })).toMatchObject({
      ok: false,
      errors: [expect.stringMatching(/every namespace/)],
    });
  });
});
