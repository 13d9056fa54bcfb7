// Finding a process below a spawned `npm start` (Linux /proc), to signal the runner itself rather
// than npm: npm exits by the signal it gets, while the runner's own exit code is what a user sees.
import { readFileSync, readdirSync } from 'node:fs';

function parentOf(pid: number): number | undefined {
  try {
    // The command name in field 2 may contain spaces; fields after the last ')' are fixed.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/** The deepest descendant of `root` whose command line contains `needle` (the process doing the work, not its wrappers). */
export function findDescendant(root: number, needle: string): number | undefined {
  const pids = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
  const children = new Map<number, number[]>();
  for (const pid of pids) {
    const ppid = parentOf(pid);
    if (ppid !== undefined) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const queue = [...(children.get(root) ?? [])];
  let found: number | undefined;
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    if (commandOf(pid).includes(needle)) found = pid;
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}
