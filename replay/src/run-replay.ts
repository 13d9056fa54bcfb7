// Replays recorded messages against a URL: builds the requests, sends them one at a time (like
// the adapter) at an optional rate, prints one line per event, and decides the exit code.
// All I/O comes in through ports so the CLI stays a thin shell.
import {
  buildRecordedRequest,
  buildRequests,
  toCloudEvents,
  type ReplayMode,
  type ReplayRequest,
} from './build-requests';
import { compareExpectations } from './expectations';
import type { RecordedMessage } from './recorded-input';
import { addTotals, formatTotals, summariseAnswer, type Totals } from './summarise-answer';

/** Resolves with the answer; rejects when there is no answer (connection error). */
export type SendPort = (url: string, request: ReplayRequest) => Promise<{ status: number; body: string }>;

export type ProgressPort = { start(total: number): void; increment(): void; stop(): void };

export type ReplayOptions = {
  to: string;
  mode: ReplayMode;
  /** Requests per second; unset = as fast as answers come back. */
  rate?: number;
  repeat: number;
  asRecorded: boolean;
  expect: Totals;
  send: SendPort;
  print: (line: string) => void;
  printError: (line: string) => void;
  progress?: ProgressPort;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
};

export type ReplayOutcome = {
  exitCode: 0 | 1;
  totals: Totals;
  requests: number;
  failedRequests: number;
  mismatches: string[];
};

export function planRequests(
  messages: RecordedMessage[],
  mode: ReplayMode,
  asRecorded: boolean,
  repeat: number,
): ReplayRequest[] {
  if (asRecorded && mode === 'batch')
    throw new Error('--as-recorded sends the captured requests as they were; it cannot be combined with --mode batch');
  const once = asRecorded ? messages.map(buildRecordedRequest) : buildRequests(messages.flatMap(toCloudEvents), mode);
  return Array.from({ length: repeat }, () => once).flat();
}

export async function runReplay(messages: RecordedMessage[], options: ReplayOptions): Promise<ReplayOutcome> {
  const requests = planRequests(messages, options.mode, options.asRecorded, options.repeat);
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const interval = options.rate ? 1000 / options.rate : 0;
  const totals: Totals = {};
  let failedRequests = 0;
  options.progress?.start(requests.length);
  const started = now();
  for (const [i, request] of requests.entries()) {
    const due = started + i * interval;
    const wait = due - now();
    if (wait > 0) await sleep(wait);
    let status: number;
    let body: string;
    try {
      ({ status, body } = await options.send(options.to, request));
    } catch (err) {
      status = 0;
      body =
        err instanceof Error
          ? `${err.message}${err.cause instanceof Error ? `: ${err.cause.message}` : ''}`
          : String(err);
    }
    const summary = summariseAnswer(request, status, body);
    summary.lines.forEach(options.print);
    addTotals(totals, summary.totals);
    if (summary.failed) failedRequests++;
    options.progress?.increment();
  }
  options.progress?.stop();
  const mismatches = compareExpectations(options.expect, totals);
  options.printError(`${requests.length} request(s), ${failedRequests} failed; ${formatTotals(totals)}`);
  mismatches.forEach((m) => options.printError(m));
  return {
    exitCode: failedRequests || mismatches.length ? 1 : 0,
    totals,
    requests: requests.length,
    failedRequests,
    mismatches,
  };
}
