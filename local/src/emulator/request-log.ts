// Test hook: every request the emulator answered, to assert e.g. "exactly one PATCH".

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface RequestRecord {
  method: string;
  path: string;
  /** the raw query string without '?' ('' when none) */
  query: string;
  /** the Kubernetes verb for resource requests; the lower-cased method for other paths */
  verb: Verb | (string & {}); // `string & {}`: any method name, with the Verb names kept in autocomplete
  group: string;
  version: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  contentType?: string;
  status: number;
  user?: string;
}

export class RequestLog {
  private records: RequestRecord[] = [];

  constructor(private readonly limit = 100_000) {}

  add(r: RequestRecord): void {
    this.records.push(r);
    if (this.records.length > this.limit) this.records.splice(0, this.records.length - this.limit);
  }

  all(): RequestRecord[] {
    return this.records.map((r) => ({ ...r }));
  }

  clear(): void {
    this.records = [];
  }
}
