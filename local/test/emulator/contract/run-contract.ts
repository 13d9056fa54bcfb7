// Runs the contract table through one driver on one target: on the emulator a fresh emulator per
// case (stopped afterwards); on the real kube-apiserver fresh namespaces per case, seeded over HTTP.
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../src/emulator/index';
import { contractCases, type ContractCase } from './cases';
import type { Driver, Op } from './operations';
import { rawRequest, resourcePath } from './raw-request';
import { emulatorTarget, makeReaders, type Target } from './targets';

export type DriverFactory = (kubeconfigPath: string) => Driver;

async function runCase(c: ContractCase, target: Target, driver: Driver): Promise<void> {
  for (const step of c.before ?? []) {
    const r = await driver.run(step);
    if (!r.ok) throw new Error(`before step ${step.op} failed: ${r.reason} ${r.message}`);
  }
  const op: Op = typeof c.op === 'function' ? c.op(target) : c.op;
  const out = await driver.run(op);
  await c.expect(out, target);
}

/** the table on the emulator (names of the cases are the same on every target) */
export function runContract(makeDriver: DriverFactory, timeoutMs: number): void {
  describe.each([makeDriver.name])('contract via %s', () => {
    let emu: Emulator | undefined;
    afterEach(async () => {
      await emu?.stop();
      emu = undefined;
    });
    for (const [i, c] of contractCases('demo', 'other').entries()) {
      it(
        c.name,
        async () => {
          emu = await startEmulator(c.emulator);
          const target = emulatorTarget(emu);
          const fresh = contractCases(target.ns, target.other)[i]!;
          if (fresh.seed) emu.seed(fresh.seed);
          const driver = makeDriver(emu.kubeconfigPath);
          // the request log shows the case's own requests only
          const run = { ...fresh, before: undefined };
          for (const step of fresh.before ?? []) {
            const r = await driver.run(step);
            if (!r.ok) throw new Error(`before step ${step.op} failed: ${r.reason} ${r.message}`);
          }
          emu.clearRequests();
          await runCase(run, target, driver);
        },
        timeoutMs,
      );
    }
  });
}

export interface RealApiserver {
  adminKubeconfig: string;
  createNamespace(prefix: string): Promise<string>;
}

/** seeds one case's objects through the API (the emulator's seed() has no real counterpart) */
async function seedOverHttp(kc: KubeConfig, seed: Record<string, unknown>[], existing: string[]): Promise<void> {
  for (const raw of seed) {
    const o = raw as { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };
    if (o.kind === 'Namespace' && existing.includes(o.metadata.name)) continue;
    const res = await rawRequest(kc, 'POST', resourcePath(o.apiVersion, o.kind, o.metadata.namespace), {
      body: JSON.stringify(raw),
    });
    if (res.status >= 300) throw new Error(`seed ${o.kind} ${o.metadata.name}: ${res.status} ${res.text}`);
  }
}

/** the same table against a real kube-apiserver (the envtest harness provides it) */
export function runContractOnRealApiserver(cp: () => RealApiserver, drivers: DriverFactory[], timeoutMs: number): void {
  for (const makeDriver of drivers) {
    describe(`contract via ${makeDriver.name}`, () => {
      for (const [i, c] of contractCases('demo', 'other').entries()) {
        if (c.onlyOnEmulator) {
          it.skip(`${c.name} (emulator only: ${c.onlyOnEmulator})`, () => undefined);
          continue;
        }
        it(
          c.name,
          async () => {
            const api = cp();
            const [ns, other] = [await api.createNamespace('demo'), await api.createNamespace('other')];
            const kc = new KubeConfig();
            kc.loadFromFile(api.adminKubeconfig);
            const target: Target = {
              name: 'kube-apiserver',
              kubeconfigPath: api.adminKubeconfig,
              ns,
              other,
              simulatesControllers: false,
              ...makeReaders(api.adminKubeconfig),
            };
            const fresh = contractCases(ns, other)[i]!;
            if (fresh.seed) await seedOverHttp(kc, fresh.seed, [ns, other]);
            await runCase(fresh, target, makeDriver(api.adminKubeconfig));
          },
          timeoutMs,
        );
      }
    });
  }
}
