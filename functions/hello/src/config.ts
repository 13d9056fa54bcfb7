// Configuration from an env-like record, validated once at start-up; every problem at once.
import type { LevelWithSilent } from 'pino';
import type { LogFormat } from '@reroll/function-runtime';

export interface HelloConfig {
  port: number;
  host: string;
  /** ENV_MESSAGE as given (may be empty: an empty message is still a message). */
  envMessage?: string;
  /** MESSAGE_FILE: path of a file holding the message. */
  messageFile?: string;
  /** APP_ENV: the environment name answered in JSON (`test`, `prod`, ...). */
  appEnv: string | null;
  logFormat: LogFormat;
  logLevel: LevelWithSilent;
}

export type ConfigResult = { ok: true; config: HelloConfig } | { ok: false; errors: string[] };

const LEVELS: LevelWithSilent[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

export function loadConfig(env: Readonly<Record<string, string | undefined>>): ConfigResult {
  const errors: string[] = [];
  const value = (name: string) => env[name]?.trim();

  let port = 8080;
  const rawPort = value('PORT');
  if (rawPort) {
    port = Number(rawPort);
    if (!/^\d+$/.test(rawPort) || port > 65535)
      errors.push(`PORT: ${JSON.stringify(rawPort)} is not a port number (0-65535)`);
  }
  const logFormat = value('LOG_FORMAT') || 'text';
  if (logFormat !== 'text' && logFormat !== 'json')
    errors.push(`LOG_FORMAT: ${JSON.stringify(logFormat)} is not one of text|json`);
  const logLevel = (value('LOG_LEVEL') || 'info') as LevelWithSilent;
  if (!LEVELS.includes(logLevel))
    errors.push(`LOG_LEVEL: ${JSON.stringify(logLevel)} is not one of ${LEVELS.join('|')}`);
  const messageFile = value('MESSAGE_FILE') || undefined;
  // ENV_MESSAGE is taken verbatim (not trimmed): it is the user's text.
  const envMessage = env.ENV_MESSAGE;
  if (envMessage === undefined && messageFile === undefined) {
    errors.push('no message source: set ENV_MESSAGE (the message) or MESSAGE_FILE (a file holding it)');
  }

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    config: {
      port,
      host: value('HOST') || '0.0.0.0',
      envMessage,
      messageFile,
      appEnv: value('APP_ENV') || null,
      logFormat: logFormat as LogFormat,
      logLevel,
    },
  };
}
