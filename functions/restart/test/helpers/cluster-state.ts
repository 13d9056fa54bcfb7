// Puts the emulator into the state a recorded event implies: the object exists with the body the
// event carried (or is gone, for a delete), as the real cluster was when the adapter sent it.
import { RESOURCE_TABLE, type Emulator } from '@reroll/local/emulator';
import type { KubeObject } from '../../src/core/types';
import { asNew } from './fixtures';

export function applyRecordedState(emulator: Emulator, object: KubeObject, deleted: boolean): void {
  const t = RESOURCE_TABLE.find((r) => r.group === '' && r.kind === object.kind);
  if (!t) throw new Error(`no resource type for ${String(object.kind)}`);
  const ns = object.metadata!.namespace!;
  const name = object.metadata!.name!;
  let existing: KubeObject | undefined;
  try {
    existing = emulator.core.get(t, ns, name);
  } catch {
    existing = undefined;
  }
  if (deleted) {
    if (existing) emulator.core.delete(t, ns, name, {}, false);
    return;
  }
  const body = asNew(object);
  if (!existing) {
    emulator.core.create(t, ns, body, false);
    return;
  }
  body.metadata!.resourceVersion = existing.metadata!.resourceVersion;
  emulator.core.update(t, ns, name, body, false);
}
