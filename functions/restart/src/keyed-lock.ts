// One task at a time per key. The rollout budget is counted from the live workloads, so two events
// in one namespace deciding at once would each see the same free slots and together overspend it
// (a mass change arrives as thousands of concurrent events): with a budget, each namespace's
// list → decide → patch runs alone in this process.
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
