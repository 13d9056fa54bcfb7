import { describe, expect, it } from 'vitest';
import {
  type DeploymentStatusInput,
  computeDeploymentStatus,
  hashPodTemplate,
} from '../../src/runner/compute-deployment-status';

const now = '2026-11-23T09:30:00Z';

// What `kubectl rollout status deployment/x` concludes from a status (kubectl's DeploymentStatusViewer).
function rolloutStatusVerdict(generation: number, replicas: number, s: ReturnType<typeof computeDeploymentStatus>) {
  if (generation > s.observedGeneration) return 'waiting: spec update not observed';
  const progressing = s.conditions.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') return 'error: exceeded its progress deadline';
  if (s.updatedReplicas < replicas) return 'waiting: new replicas being updated';
  if (s.replicas > s.updatedReplicas) return 'waiting: old replicas pending termination';
  if (s.availableReplicas < s.updatedReplicas) return 'waiting: updated replicas not available';
  return 'successfully rolled out';
}

interface Case {
  name: string;
  input: Omit<DeploymentStatusInput, 'now' | 'generation' | 'currentTemplateHash'>;
  verdict: string;
  counts: [replicas: number, updated: number, ready: number];
}

const cases: Case[] = [
  {
    name: 'steady state',
    input: { desiredReplicas: 1, pods: [{ templateHash: 'new', ready: true }] },
    verdict: 'successfully rolled out',
    counts: [1, 1, 1],
  },
  {
    name: 'new pod starting beside the old one',
    input: {
      desiredReplicas: 1,
      pods: [
        { templateHash: 'old', ready: true },
        { templateHash: 'new', ready: false },
      ],
    },
    verdict: 'waiting: old replicas pending termination',
    counts: [2, 1, 1],
  },
  {
    name: 'new pod ready, old one still draining',
    input: {
      desiredReplicas: 1,
      pods: [
        { templateHash: 'old', ready: false },
        { templateHash: 'new', ready: true },
      ],
    },
    verdict: 'waiting: old replicas pending termination',
    counts: [2, 1, 1],
  },
  {
    name: 'first pod not ready yet',
    input: { desiredReplicas: 1, pods: [{ templateHash: 'new', ready: false }] },
    verdict: 'waiting: updated replicas not available',
    counts: [1, 1, 0],
  },
  {
    name: 'scaled to zero',
    input: { desiredReplicas: 0, pods: [] },
    verdict: 'successfully rolled out',
    counts: [0, 0, 0],
  },
  {
    name: 'pod cannot start (missing ConfigMap)',
    input: { desiredReplicas: 1, pods: [], failure: 'configmap "x" not found' },
    verdict: 'error: exceeded its progress deadline',
    counts: [0, 0, 0],
  },
];

describe('computeDeploymentStatus', () => {
  for (const c of cases) {
    it(c.name, () => {
      const s = computeDeploymentStatus({ ...c.input, generation: 3, currentTemplateHash: 'new', now });
      expect(s.observedGeneration).toBe(3);
      expect([s.replicas, s.updatedReplicas, s.readyReplicas]).toEqual(c.counts);
      expect(rolloutStatusVerdict(3, c.input.desiredReplicas, s)).toBe(c.verdict);
    });
  }

  it('keeps condition times when nothing changed, so a rewrite is a no-op', () => {
    const input = {
      desiredReplicas: 1,
      pods: [{ templateHash: 'h', ready: true }],
      generation: 1,
      currentTemplateHash: 'h',
    };
    const first = computeDeploymentStatus({ ...input, now });
    const second = computeDeploymentStatus({
      ...input,
      now: '2026-11-23T10:00:00Z',
      previousConditions: first.conditions,
    });
    expect(second).toEqual(first);
  });
});

describe('hashPodTemplate', () => {
  const a = { metadata: { labels: { app: 'x', env: 'test' } }, spec: { containers: [{ name: 'hello' }] } };
  const reordered = { spec: { containers: [{ name: 'hello' }] }, metadata: { labels: { env: 'test', app: 'x' } } };
  const annotated = {
    ...a,
    metadata: { ...a.metadata, annotations: { 'rolling.restart.controller/configHash': 'abc' } },
  };
  // What `kubectl rollout undo` sends back: the ReplicaSet's template with Go's creationTimestamp: null.
  const fromUndo = { ...a, metadata: { ...a.metadata, creationTimestamp: null } };
  const cases: [string, object, boolean][] = [
    ['same template, other key order', reordered, true],
    ['same template with null fields (rollout undo)', fromUndo, true],
    ['an annotation on the template', annotated, false],
  ];
  for (const [name, other, same] of cases) {
    it(name, () => expect(hashPodTemplate(other) === hashPodTemplate(a)).toBe(same));
  }
});
