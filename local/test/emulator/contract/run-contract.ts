// Runs the contract table through one driver: a fresh emulator per case, stopped afterwards.
import { afterEach, describe, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../src/emulator/index';
import { CASES } from './cases';
import type { Driver, Op } from './operations';

export function runContract(makeDriver: (kubeconfigPath: string) => Driver, timeoutMs: number): void {
  describe.each([makeDriver.name])('contract via %s', () => {
    let emu: Emulator | undefined;
    afterEach(async () => {
      await emu?.stop();
      emu = undefined;
    });
    for (const c of CASES) {
      it(
        c.name,
        async () => {
          emu = await startEmulator(c.emulator);
          if (c.seed) emu.seed(c.seed);
          const driver = makeDriver(emu.kubeconfigPath);
          for (const step of c.before ?? []) {
            const r = await driver.run(step);
            if (!r.ok) throw new Error(`before step ${step.op} failed: ${r.reason} ${r.message}`);
          }
          emu.clearRequests();
          const op: Op = typeof c.op === 'function' ? c.op(emu) : c.op;
          const out = await driver.run(op);
          await c.expect(out, emu);
        },
        timeoutMs,
      );
    }
  });
}
