// Wall clock with nanoseconds, and random ids: the two things that differ between two sends of the
// same event. Both are injectable so the formatter stays pure and tests are deterministic.
import { randomBytes, randomUUID } from 'node:crypto';

/** Epoch time in nanoseconds. */
export type Clock = () => bigint;

export type IdGenerator = {
  /** ce-id: a random UUIDv4 per event, like the adapter (delegate.go SetID). */
  uuid(): string;
  /** `bytes` random bytes as lower-case hex (trace and span ids). */
  randomHex(bytes: number): string;
};

// Date.now() only has milliseconds; anchoring the monotonic hrtime to it once gives the
// nanosecond-resolution ce-time the Go adapter sends (time.Now() has ns resolution on Linux).
const anchorNs = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

export const systemClock: Clock = () => anchorNs + process.hrtime.bigint();

export const randomIds: IdGenerator = {
  uuid: () => randomUUID(),
  randomHex: (bytes) => randomBytes(bytes).toString('hex'),
};

/**
 * Go's time.RFC3339Nano in UTC: fractional seconds with trailing zeros trimmed (and no dot at all
 * when the fraction is zero), so the length varies: 2026-11-23T08:21:10.8705485Z.
 */
export function formatRfc3339Nano(epochNs: bigint): string {
  const seconds = epochNs / 1_000_000_000n;
  let nanos = epochNs % 1_000_000_000n;
  let secs = seconds;
  if (nanos < 0n) {
    nanos += 1_000_000_000n;
    secs -= 1n;
  }
  const base = new Date(Number(secs) * 1000).toISOString().slice(0, 19);
  const fraction = nanos.toString().padStart(9, '0').replace(/0+$/, '');
  return base + (fraction ? '.' + fraction : '') + 'Z';
}

/** W3C traceparent as the adapter's tracing sends it: version 00, not sampled. */
export function formatTraceparent(traceId: string, spanId: string): string {
  return `00-${traceId}-${spanId}-00`;
}

/** A new span id on the same trace: what a retry of one send carries. */
export function withNewSpan(traceparent: string, ids: IdGenerator): string {
  const traceId = traceparent.split('-')[1] ?? ids.randomHex(16);
  return formatTraceparent(traceId, ids.randomHex(8));
}
