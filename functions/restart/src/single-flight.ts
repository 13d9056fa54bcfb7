// One run at a time per key. Calls that arrive while a run is in flight coalesce into ONE follow-up
// run (their arguments merged), and every one of those callers gets the follow-up's result: the
// follow-up starts after the change they announced, so its answer covers them all.
export class SingleFlight<A, R> {
  private readonly slots = new Map<string, { running: Promise<R>; next?: { args: A; promise: Promise<R> } }>();

  constructor(private readonly merge: (queued: A, incoming: A) => A) {}

  run(key: string, args: A, fn: (args: A) => Promise<R>): Promise<R> {
    const slot = this.slots.get(key);
    if (!slot) {
      const running = this.start(key, args, fn);
      this.slots.set(key, { running });
      return running;
    }
    if (slot.next) {
      slot.next.args = this.merge(slot.next.args, args);
      return slot.next.promise;
    }
    const next: { args: A; promise: Promise<R> } = { args, promise: undefined as unknown as Promise<R> };
    next.promise = slot.running.then(
      () => this.promote(key, fn),
      () => this.promote(key, fn),
    );
    slot.next = next;
    return next.promise;
  }

  /** keys with a run in flight (for tests and metrics) */
  get size(): number {
    return this.slots.size;
  }

  private promote(key: string, fn: (args: A) => Promise<R>): Promise<R> {
    const slot = this.slots.get(key)!;
    const next = slot.next!;
    slot.running = this.start(key, next.args, fn);
    delete slot.next;
    return slot.running;
  }

  private start(key: string, args: A, fn: (args: A) => Promise<R>): Promise<R> {
    const running = Promise.resolve().then(() => fn(args));
    const cleanup = () => {
      const slot = this.slots.get(key);
      if (slot && slot.running === running && !slot.next) this.slots.delete(key);
    };
    running.then(cleanup, cleanup);
    return running;
  }
}
