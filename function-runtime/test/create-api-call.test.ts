// The API-call wrapper both functions use: what a reconcile sees after the attempts (the result, a
// definite KubeApiError, or ApiUnavailableError) and what the metrics callback counted per attempt.
import { describe, expect, it } from 'vitest';
import { ApiUnavailableError, createApiCall, KubeApiError, type AttemptPolicy } from '../src/index';

/** client-node's ApiException shape: a numeric `code` and the Status body as a string */
const apiError = (code: number, message: string) =>
  Object.assign(new Error(`HTTP-Code: ${code}`), { code, body: JSON.stringify({ kind: 'Status', message }) });
const timeout = () => Object.assign(new Error('Operation timed out'), { name: 'TaskCancelledError' });
const refused = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

const statusOf = (err: unknown) => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
};
const isTransient = (err: unknown, { conflictIsTransient }: { conflictIsTransient: boolean }) => {
  if ((err as Error)?.name === 'TaskCancelledError') return true;
  const status = statusOf(err);
  if (status !== undefined)
    return [429, 500, 502, 503, 504].includes(status) || (conflictIsTransient && status === 409);
  return (err as { code?: unknown })?.code === 'ECONNREFUSED';
};
/** up to 3 attempts while the failure is transient: what the functions' cockatiel policies do */
const policy = (conflictIsTransient: boolean): AttemptPolicy => ({
  async execute<T>(attempt: () => Promise<T>): Promise<T> {
    for (let i = 1; ; i++) {
      try {
        return await attempt();
      } catch (err) {
        if (i === 3 || !isTransient(err, { conflictIsTransient })) throw err;
      }
    }
  },
});

interface Case {
  name: string;
  write: boolean;
  /** what each attempt does: a value resolves, an Error rejects */
  attempts: Array<unknown>;
  result?: unknown;
  error?: { type: typeof KubeApiError | typeof ApiUnavailableError | typeof Error; message: string; status?: number };
  codes: string[];
}

const cases: Case[] = [
  { name: 'an answer on the first try', write: false, attempts: [{ ok: 1 }], result: { ok: 1 }, codes: ['200'] },
  {
    name: 'a read answered 409 is a race: retried',
    write: false,
    attempts: [apiError(409, 'conflict'), { ok: 2 }],
    result: { ok: 2 },
    codes: ['409', '200'],
  },
  {
    name: "a write answered 409 is the resourceVersion precondition: not retried, the caller's to handle",
    write: true,
    attempts: [apiError(409, 'the object has been modified'), { ok: 3 }],
    error: { type: KubeApiError, status: 409, message: 'update virtualservices: 409 the object has been modified' },
    codes: ['409'],
  },
  {
    name: 'a 403 is a definite answer, with the API status message',
    write: false,
    attempts: [apiError(403, 'services is forbidden')],
    error: { type: KubeApiError, status: 403, message: 'get services: 403 services is forbidden' },
    codes: ['403'],
  },
  {
    name: '503 on every attempt: unavailable, naming the last failure',
    write: false,
    attempts: [apiError(503, 'etcd down'), apiError(503, 'etcd down'), apiError(503, 'still down')],
    error: { type: ApiUnavailableError, message: 'get services: API server unavailable (still down)' },
    codes: ['503', '503', '503'],
  },
  {
    name: 'timeouts and refused connections count as "timeout" and "error", then unavailable',
    write: true,
    attempts: [timeout(), refused(), refused()],
    error: {
      type: ApiUnavailableError,
      message: 'update virtualservices: API server unavailable (connect ECONNREFUSED)',
    },
    codes: ['timeout', 'error', 'error'],
  },
  {
    name: 'a 500 after a 409 on a read: the budget is spent on transient failures, unavailable',
    write: false,
    attempts: [apiError(409, 'conflict'), apiError(500, 'boom'), apiError(500, 'boom')],
    error: { type: ApiUnavailableError, message: 'get services: API server unavailable (boom)' },
    codes: ['409', '500', '500'],
  },
  {
    name: 'a bug in the call itself (no status, not transient) is thrown as it is',
    write: false,
    attempts: [new TypeError('cannot read properties of undefined')],
    error: { type: TypeError, message: 'cannot read properties of undefined' },
    codes: ['error'],
  },
];

describe('createApiCall: retried by the given policy, mapped to what a reconcile acts on', () => {
  for (const c of cases)
    it(c.name, async () => {
      const codes: string[] = [];
      const call = createApiCall({
        readPolicy: policy(true),
        writePolicy: policy(false),
        isTransient,
        statusOf,
        onRequest: (_verb, _resource, code) => codes.push(code),
      });
      const attempts = [...c.attempts];
      const run = call(c.write ? 'update' : 'get', c.write ? 'virtualservices' : 'services', c.write, () => {
        const next = attempts.shift();
        return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
      });
      if (c.error) {
        const err = await run.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(c.error.type);
        expect((err as Error).message).toBe(c.error.message);
        if (c.error.status !== undefined) expect((err as KubeApiError).status).toBe(c.error.status);
      } else expect(await run).toEqual(c.result);
      expect(codes).toEqual(c.codes);
    });
});
