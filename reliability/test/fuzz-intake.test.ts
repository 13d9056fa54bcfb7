// Fuzzing the framework-neutral intake (readEvents, which the express adapter calls with the raw
// body decoded as UTF-8): 100,000 generated requests, random and mutated from the recorded traffic
// (helpers/fuzz-requests.ts) → it never throws, and every refusal names a field and what is wrong.
// Its HTTP twin, fuzz.test.ts, sends 10,000 of the same requests to the real server (the two are
// separate files so each stays inside the per-file time budget on a loaded 2-core machine).
// Seeded: the seed is printed; fast-check prints seed and path of a failing case to replay it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileDataValidators } from '../../functions/restart/src/intake/data-schemas';
import { readEvents } from '../../functions/restart/src/intake/read-events';
import { fuzzRequests, loadRecorded } from './helpers/fuzz-requests';
import { readSeed } from './helpers/seeded-random';

const SEED = readSeed();
const INTAKE_RUNS = 100_000;
const arbitrary = fuzzRequests(loadRecorded(), { hugeBodies: false }); // the body limit is the server's: fuzz.test.ts

function namesWhatIsWrong(error: unknown): boolean {
  const e = error as { field?: unknown; detail?: unknown } | null;
  return (
    typeof e?.field === 'string' && e.field.trim() !== '' && typeof e.detail === 'string' && e.detail.trim() !== ''
  );
}

describe('fuzz: the framework-neutral intake', () => {
  it(`${INTAKE_RUNS} generated requests: never throws, every refusal names a field and what is wrong`, () => {
    console.log(`fuzz (intake): seed ${SEED}, ${INTAKE_RUNS} runs`);
    const validate = compileDataValidators();
    const outcomes = { accepted: 0, refused: 0 };
    fc.assert(
      fc.property(arbitrary, (request) => {
        const result = readEvents({ headers: request.headers, body: request.body.toString('utf8') }, validate);
        if (result.ok) {
          outcomes.accepted++;
          return result.events.length > 0;
        }
        outcomes.refused++;
        return namesWhatIsWrong(result.error) && ['invalid', 'unsupported'].includes(result.error.error);
      }),
      { seed: SEED, numRuns: INTAKE_RUNS, endOnFailure: true },
    );
    console.log(`fuzz (intake): ${JSON.stringify(outcomes)}`);
    expect(outcomes.accepted).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  }, 300_000);
});
