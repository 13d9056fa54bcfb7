// Paths to the recorded real traffic in the repo (recorded-events/).
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const EVENTS_DIR = fileURLToPath(new URL('../../recorded-events', import.meta.url));
export const fixture = (relative: string) => path.join(EVENTS_DIR, relative);
