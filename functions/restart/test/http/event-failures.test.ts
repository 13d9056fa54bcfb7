// The failure rule as an operator sees it: an event that cannot be written is logged and counted
// in /metrics, and the call that wanted it still succeeds.
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness';
import { MemoryPort } from '../helpers/memory-port';
import { makeWorkload } from '../helpers/workloads';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const regarding = { kind: 'Deployment' as const, namespace: 'demo', name: 'helloworld-test', uid: 'u1' };
const rolled = { type: 'Normal' as const, reason: 'Rolled', action: 'Roll', note: 'config hash a → b' };

async function metric(url: string, reason: string, outcome: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`reroll_restart_kube_events_total{reason="${reason}",outcome="${outcome}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('event failures', () => {
  it('a 403 on an event is logged with the API reason and counted; nothing throws', async () => {
    const port = new MemoryPort([makeWorkload()]);
    port.inject({ kind: 'Event', status: 403 });
    h = await startHarness({ port });
    await expect(h.fn.reconciler.recordEvent(regarding, rolled)).resolves.toBe(false);
    expect(
      h.lines.some((l) => /^WARN \[event\] could not record Rolled on deployment=helloworld-test: .*403/.test(l)),
    ).toBe(true);
    expect(await metric(h.fn.url, 'Rolled', 'failed')).toBe(1);
    // the next one goes through and is counted as written
    await expect(h.fn.reconciler.recordEvent(regarding, rolled)).resolves.toBe(true);
    expect(await metric(h.fn.url, 'Rolled', 'written')).toBe(1);
    expect(port.events).toHaveLength(1);
  });
});
