// knative/optional/decision-events: the SinkBinding binds the restart function (K_SINK) to a Broker
// rendered with it; the sinks policy catches a subject or sink that is not deployed.
import { describe, expect, it } from 'vitest';
import { loadManifestSet } from '../src/manifest-set';
import { checkSinks } from '../src/policy/sinks';

const set = await loadManifestSet();
const variant = set.variants.find((v) => v.source.includes('decision-events'))!;

describe('optional decision-events component', () => {
  it('binds the restart Knative Service to the reroll-decisions Broker', () => {
    const binding = variant.objects.find((o) => o.kind === 'SinkBinding')!;
    expect(binding.metadata.namespace).toBe('reroll-demo');
    expect(binding.spec).toMatchObject({
      subject: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'restart' },
      sink: { ref: { kind: 'Broker', name: 'reroll-decisions' } },
    });
    expect(checkSinks(variant.objects)).toEqual([]);
  });

  it('a subject that is not deployed is a violation', () => {
    const broken = structuredClone(variant.objects);
    const binding = broken.find((o) => o.kind === 'SinkBinding')!;
    (binding.spec as { subject: { name: string } }).subject.name = 'restarter';
    expect(checkSinks(broken).map((v) => v.message)).toEqual([
      expect.stringContaining('spec.subject Service/restarter does not exist'),
    ]);
  });
});
