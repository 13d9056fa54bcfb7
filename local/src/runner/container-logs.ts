// What `kubectl logs` reads: each local container's output, kept per pod like the kubelet keeps it
// (the current container and, after a restart, the previous one for --previous), with followers
// for -f that end when the container stops.
import type { PodLogLine, PodLogSource, PodLogStream } from '@reroll/local/emulator';

const MAX_LINES = 10_000;

interface ContainerOutput {
  lines: PodLogLine[];
  followers: Set<{ onLine: (l: PodLogLine) => void; onEnd: () => void }>;
  ended: boolean;
}

interface PodOutput {
  container: string;
  current: ContainerOutput;
  previous?: ContainerOutput;
}

export interface ContainerLogs {
  /** A container (re)starts in this pod: its output so far becomes the previous one. */
  startContainer(namespace: string, pod: string, container: string): (line: string) => void;
  /** The container stopped: followers get the end of the stream. */
  endContainer(namespace: string, pod: string): void;
  /** The pod is gone: forget it. */
  forget(namespace: string, pod: string): void;
  source: PodLogSource;
}

const fresh = (): ContainerOutput => ({ lines: [], followers: new Set(), ended: false });

function endOutput(out: ContainerOutput): void {
  if (out.ended) return;
  out.ended = true;
  for (const f of out.followers) f.onEnd();
  out.followers.clear();
}

export function createContainerLogs(now: () => string = () => new Date().toISOString()): ContainerLogs {
  const pods = new Map<string, PodOutput>();
  const key = (ns: string, pod: string) => `${ns}/${pod}`;
  return {
    startContainer(namespace, pod, container) {
      const k = key(namespace, pod);
      const existing = pods.get(k);
      if (existing) endOutput(existing.current);
      const entry: PodOutput = { container, current: fresh(), previous: existing?.current };
      pods.set(k, entry);
      const out = entry.current;
      return (text) => {
        const line = { time: now(), text };
        out.lines.push(line);
        if (out.lines.length > MAX_LINES) out.lines.splice(0, out.lines.length - MAX_LINES);
        for (const f of out.followers) f.onLine(line);
      };
    },
    endContainer(namespace, pod) {
      const entry = pods.get(key(namespace, pod));
      if (entry) endOutput(entry.current);
    },
    forget(namespace, pod) {
      const entry = pods.get(key(namespace, pod));
      if (entry) endOutput(entry.current);
      pods.delete(key(namespace, pod));
    },
    source(req) {
      const entry = pods.get(key(req.namespace, req.name));
      if (!entry) return { error: `container in pod "${req.name}" is waiting to start: no local process runs it` };
      if (req.container && req.container !== entry.container)
        return {
          error: `container ${req.container} is not valid for pod ${req.name}`,
        };
      const out = req.previous ? entry.previous : entry.current;
      if (!out) return { error: `previous terminated container "${entry.container}" in pod "${req.name}" not found` };
      const stream: PodLogStream = { lines: out.lines };
      if (!out.ended)
        stream.subscribe = (onLine, onEnd) => {
          const f = { onLine, onEnd };
          out.followers.add(f);
          return () => out.followers.delete(f);
        };
      return stream;
    },
  };
}
