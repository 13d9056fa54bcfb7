// One ApiServerSource update event for a ConfigMap, posted to a restart instance (or a bare receiver)
// the way the adapter sends it (Reference mode). Shared by every case that sends events itself.
import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { formatApiServerEvent } from '@reroll/local/source';

export interface EventAnswer {
  status: number;
  /** the answer's body, read in full (so the connection is free for the next event) */
  text: string;
}

export interface EventTiming {
  ms: number;
  /** workloads the answer says were rolled */
  rolled: number;
}

export async function sendUpdateEvent(url: string, object: unknown): Promise<EventAnswer> {
  const request = formatApiServerEvent({
    mode: 'Reference',
    eventType: 'MODIFIED',
    object,
    source: 'https://10.96.0.1:443',
  });
  const { 'content-length': _l, 'accept-encoding': _e, ...headers } = request.headers;
  const res = await fetch(`${url}/`, { method: 'POST', headers, body: request.body });
  return { status: res.status, text: await res.text() };
}

/** The same event, timed to its answer; a non-200 answer is an error. */
export async function postUpdateEvent(url: string, object: Record<string, unknown>): Promise<EventTiming> {
  const started = performance.now();
  const { status, text } = await sendUpdateEvent(url, object);
  const ms = performance.now() - started;
  if (status !== 200) throw new Error(`event answered ${status}`);
  const body = JSON.parse(text) as { decisions?: Array<{ action: string }> };
  return { ms, rolled: (body.decisions ?? []).filter((d) => d.action === 'rolled').length };
}

/** A child's resident set, from /proc (what the kernel charges it, not the JS heap). */
export async function readRssMiB(child: ChildProcess): Promise<number> {
  const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
}
