// One ApiServerSource update event for a ConfigMap, posted to a restart instance the way the adapter
// sends it (Reference mode), timed to its answer. Shared by the cases that time one event at a time.
import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { formatApiServerEvent } from '@reroll/local/source';

export interface EventTiming {
  ms: number;
  /** workloads the answer says were rolled */
  rolled: number;
}

export async function postUpdateEvent(url: string, object: Record<string, unknown>): Promise<EventTiming> {
  const request = formatApiServerEvent({
    mode: 'Reference',
    eventType: 'MODIFIED',
    object,
    source: 'https://10.96.0.1:443',
  });
  const { 'content-length': _l, 'accept-encoding': _e, ...headers } = request.headers;
  const started = performance.now();
  const res = await fetch(`${url}/`, { method: 'POST', headers, body: request.body });
  const body = (await res.json()) as { decisions?: Array<{ action: string }> };
  const ms = performance.now() - started;
  if (res.status !== 200) throw new Error(`event answered ${res.status}`);
  return { ms, rolled: (body.decisions ?? []).filter((d) => d.action === 'rolled').length };
}

/** A child's resident set, from /proc (what the kernel charges it, not the JS heap). */
export async function readRssMiB(child: ChildProcess): Promise<number> {
  const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
}
