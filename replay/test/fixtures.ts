// Paths to the recorded real traffic beside the repo (../shared/events).
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const EVENTS_DIR = fileURLToPath(new URL('../../../shared/events', import.meta.url));
export const fixture = (relative: string) => path.join(EVENTS_DIR, relative);
