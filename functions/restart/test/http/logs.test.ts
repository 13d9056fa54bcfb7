// What an operator reads: seed 000's lines in text mode, one JSON object per line in json mode, and
// never a ConfigMap/Secret value in either.
import { afterEach, describe, expect, it } from 'vitest';
import { loadRecorded, recordedObject } from '../helpers/fixtures';
import { replayHeaders, startHarness, type Harness } from '../helpers/harness';
import { MemoryPort } from '../helpers/memory-port';
import { makeWorkload } from '../helpers/workloads';

const secretUser = makeWorkload({
  name: 'uses-secret',
  labels: { app: 'uses-secret', env: 'test' },
  podSpec: { containers: [{ name: 'c', envFrom: [{ secretRef: { name: 'helloworld-secret' } }] }] },
});
let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function replay(format: 'text' | 'json'): Promise<string[]> {
  h = await startHarness({
    port: new MemoryPort([recordedObject('02'), recordedObject('10', 1), makeWorkload(), secretUser]),
    config: { logFormat: format },
  });
  for (const req of [...loadRecorded('Resource', '02'), ...loadRecorded('Resource', '10').slice(1, 2)]) {
    expect((await h.post(replayHeaders(req.headers), req.body)).status).toBe(200);
  }
  return h.lines;
}

describe('logs', () => {
  it('text: seed 000 lines', async () => {
    const lines = await replay('text');
    expect(lines).toContain('[event] type=MODIFIED configmap=helloworld-test env=test');
    expect(
      lines.some((l) =>
        /^\[restart\] patched deployment=helloworld-test restartedAt=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(l),
      ),
    ).toBe(true);
    expect(lines).toContain('[event] type=MODIFIED secret=helloworld-secret');
  });

  it('json: one object per line, with the decision as fields', async () => {
    const lines = await replay('json');
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries).toContainEqual(
      expect.objectContaining({
        msg: '[event] type=MODIFIED configmap=helloworld-test env=test',
        kind: 'ConfigMap',
        name: 'helloworld-test',
        env: 'test',
      }),
    );
    expect(entries).toContainEqual(
      expect.objectContaining({
        kind: 'Deployment',
        name: 'helloworld-test',
        action: 'rolled',
        restartedAt: expect.any(String),
      }),
    );
  });

  for (const format of ['text', 'json'] as const) {
    it(`${format}: no value of the ConfigMap or the Secret (Resource mode carries them) is logged`, async () => {
      const log = (await replay(format)).join('\n');
      for (const value of ['Hello again', 'bjN3', 'n3w']) expect(log).not.toContain(value);
    });
  }
});
