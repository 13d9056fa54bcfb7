// pods/log: the emulator stores no container output itself; whoever runs the pods (the local
// runner's kubelet) plugs in a source, and this turns kubectl's query into a request for it.
import { badRequest } from './status-errors';

export interface PodLogRequest {
  namespace: string;
  name: string;
  container?: string;
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  limitBytes?: number;
}

export interface PodLogLine {
  /** RFC 3339 with nanoseconds, as the kubelet's `--timestamps` prints */
  time: string;
  text: string;
}

export interface PodLogStream {
  /** the lines so far (already cut to tailLines/sinceSeconds by the source or here) */
  lines: PodLogLine[];
  /** follow: each new line, then `end` once the container stops; returns an unsubscribe */
  subscribe?(onLine: (line: PodLogLine) => void, onEnd: () => void): () => void;
}

/** A stream, or the reason there is none (answered as the kubelet's 400, e.g. no previous container). */
export type PodLogSource = (req: PodLogRequest) => PodLogStream | { error: string };

function nonNegativeInt(q: URLSearchParams, name: string): number | undefined {
  const raw = q.get(name);
  if (raw === null || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw badRequest(`${name}: Invalid value: "${raw}": must be a non-negative integer`);
  return n;
}

const flag = (q: URLSearchParams, name: string) => q.get(name) === 'true' || q.get(name) === '1';

export function parsePodLogQuery(namespace: string, name: string, q: URLSearchParams): PodLogRequest {
  const req: PodLogRequest = {
    namespace,
    name,
    follow: flag(q, 'follow'),
    previous: flag(q, 'previous'),
    timestamps: flag(q, 'timestamps'),
  };
  const container = q.get('container');
  if (container) req.container = container;
  const tailLines = nonNegativeInt(q, 'tailLines');
  if (tailLines !== undefined) req.tailLines = tailLines;
  const sinceSeconds = nonNegativeInt(q, 'sinceSeconds');
  if (sinceSeconds !== undefined) req.sinceSeconds = sinceSeconds;
  const limitBytes = nonNegativeInt(q, 'limitBytes');
  if (limitBytes !== undefined) req.limitBytes = limitBytes;
  return req;
}

/** What the kubelet applies to the stored lines before sending them. */
export function selectLogLines(lines: readonly PodLogLine[], req: PodLogRequest, nowMs: number): PodLogLine[] {
  let out = [...lines];
  if (req.sinceSeconds !== undefined) {
    const since = nowMs - req.sinceSeconds * 1000;
    out = out.filter((l) => Date.parse(l.time) >= since);
  }
  if (req.tailLines !== undefined) out = req.tailLines === 0 ? [] : out.slice(-req.tailLines);
  return out;
}

export function formatLogLine(line: PodLogLine, timestamps: boolean): string {
  return timestamps ? `${line.time} ${line.text}\n` : `${line.text}\n`;
}
