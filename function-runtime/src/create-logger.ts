import { pino, type Logger, type LevelWithSilent } from 'pino';

export type LogFormat = 'text' | 'json';

export interface LoggerOptions {
  name: string;
  format: LogFormat;
  level: LevelWithSilent;
  /** Where lines go; stdout by default. Tests pass a collector to read what a user would see. */
  destination?: { write(line: string): unknown };
}

const LEVEL_NAMES: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/**
 * Formats one pino JSON line as the human line seed 000's operators know:
 * the message itself (`[event] type=MODIFIED configmap=... env=...`), a level prefix only when it is
 * not info, and an error's message when one is attached. Only `msg` and `err.message` are printed, so
 * a field holding data can never leak into text logs by accident.
 */
export function formatTextLine(json: string): string {
  let entry: { level?: number; msg?: unknown; err?: { message?: unknown } };
  try {
    entry = JSON.parse(json) as typeof entry;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const level = LEVEL_NAMES[entry.level ?? 30] ?? 'info';
  const prefix = level === 'info' ? '' : `${level.toUpperCase()} `;
  const error = entry.err && typeof entry.err.message === 'string' ? ` error="${entry.err.message}"` : '';
  const msg = typeof entry.msg === 'string' ? entry.msg : entry.msg == null ? '' : JSON.stringify(entry.msg);
  return `${prefix}${msg}${error}\n`;
}

/** A pino logger: one JSON object per line for clusters, or seed 000's plain lines for people. */
export function createLogger(options: LoggerOptions): Logger {
  const out = options.destination ?? process.stdout;
  const base = { name: options.name };
  if (options.format === 'json') {
    return pino({ level: options.level, base, timestamp: pino.stdTimeFunctions.isoTime }, out as NodeJS.WritableStream);
  }
  const textStream = { write: (line: string) => out.write(formatTextLine(line)) };
  return pino({ level: options.level, base }, textStream as unknown as NodeJS.WritableStream);
}
