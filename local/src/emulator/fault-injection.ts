// Test hook: the next N requests matching verb/resource/namespace/name answer a given status
// and/or wait a given latency.

export interface Fault {
  verb?: string;
  resource?: string;
  namespace?: string;
  name?: string;
  status?: number;
  latencyMs?: number;
  /** how many matching requests it applies to (default 1) */
  times?: number;
  /** chance that a matching request is affected (default 1) */
  probability?: number;
}

export interface FaultTarget {
  verb: string;
  resource?: string;
  namespace?: string;
  name?: string;
}

export class FaultInjector {
  private faults: Array<Fault & { remaining: number }> = [];

  constructor(private readonly random: () => number = Math.random) {}

  inject(fault: Fault): void {
    if (fault.status !== undefined && (!Number.isInteger(fault.status) || fault.status < 100 || fault.status > 599)) {
      throw new Error(`inject: status must be an HTTP status code, got ${String(fault.status)}`);
    }
    this.faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  clear(): void {
    this.faults = [];
  }

  /** uses left of every injected fault: 0 once each has met its requests */
  pending(): number {
    return this.faults.reduce((n, f) => n + f.remaining, 0);
  }

  /** The fault that applies to this request, consuming one of its uses. */
  take(target: FaultTarget): Fault | undefined {
    for (const f of this.faults) {
      if (f.remaining <= 0) continue;
      if (f.verb !== undefined && f.verb !== target.verb) continue;
      if (f.resource !== undefined && f.resource !== target.resource) continue;
      if (f.namespace !== undefined && f.namespace !== target.namespace) continue;
      if (f.name !== undefined && f.name !== target.name) continue;
      if (f.probability !== undefined && this.random() >= f.probability) continue;
      f.remaining--;
      this.faults = this.faults.filter((x) => x.remaining > 0);
      return f;
    }
    return undefined;
  }
}
