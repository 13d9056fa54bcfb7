// Human-readable logs, one line per event, prefixed by the part that wrote it (docker-compose
// style), so the output of six processes stays readable in one terminal.
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

export type LogLine = (line: string) => void;
export type PartLogger = (part: string) => LogLine;

const WIDTH = 10;
const COLORS = [36, 33, 32, 35, 34, 31, 96, 93];

/** `hello-test | line`, the part padded so that the bars line up. */
export function formatPartLine(part: string, line: string, color?: number): string {
  const label = part.padEnd(WIDTH);
  return color === undefined ? `${label} | ${line}` : `\u001b[${color}m${label} |\u001b[0m ${line}`;
}

/** A logger factory writing to `write`; colours when the output is a terminal. */
export function createPartLogger(write: (text: string) => void, colors = false): PartLogger {
  const assigned = new Map<string, number>();
  return (part) => {
    if (colors && !assigned.has(part)) assigned.set(part, COLORS[assigned.size % COLORS.length] as number);
    const color = colors ? assigned.get(part) : undefined;
    return (line) => {
      for (const l of line.split('\n')) write(`${formatPartLine(part, l, color)}\n`);
    };
  };
}

/** Feeds every line of a child's output stream to `log`. */
export function pipeLines(stream: Readable | null, log: LogLine): void {
  if (!stream) return;
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => log(line));
}
