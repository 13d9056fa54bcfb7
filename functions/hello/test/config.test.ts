import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';

describe('loadConfig', () => {
  it('defaults for the cluster: port 8080 on every interface, text logs at info', () => {
    expect(loadConfig({ ENV_MESSAGE: 'hi' })).toEqual({
      ok: true,
      config: {
        port: 8080,
        host: '0.0.0.0',
        envMessage: 'hi',
        messageFile: undefined,
        appEnv: null,
        logFormat: 'text',
        logLevel: 'info',
      },
    });
  });

  it('reads every variable', () => {
    const result = loadConfig({
      PORT: '9000',
      HOST: '127.0.0.1',
      MESSAGE_FILE: ' /etc/hello/message ',
      APP_ENV: 'prod',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'warn',
    });
    expect(result).toEqual({
      ok: true,
      config: {
        port: 9000,
        host: '127.0.0.1',
        envMessage: undefined,
        messageFile: '/etc/hello/message',
        appEnv: 'prod',
        logFormat: 'json',
        logLevel: 'warn',
      },
    });
  });

  it('keeps ENV_MESSAGE verbatim, spaces included', () => {
    const result = loadConfig({ ENV_MESSAGE: '  spaced  ' });
    expect(result.ok && result.config.envMessage).toBe('  spaced  ');
  });

  const bad = [
    {
      name: 'no message source',
      env: {},
      errors: ['no message source: set ENV_MESSAGE (the message) or MESSAGE_FILE (a file holding it)'],
    },
    {
      name: 'a port that is not a number',
      env: { ENV_MESSAGE: 'x', PORT: 'http' },
      errors: ['PORT: "http" is not a port number (0-65535)'],
    },
    {
      name: 'a port out of range',
      env: { ENV_MESSAGE: 'x', PORT: '70000' },
      errors: ['PORT: "70000" is not a port number (0-65535)'],
    },
    {
      name: 'every problem at once',
      env: { PORT: '-1', LOG_FORMAT: 'yaml', LOG_LEVEL: 'loud' },
      errors: [
        'PORT: "-1" is not a port number (0-65535)',
        'LOG_FORMAT: "yaml" is not one of text|json',
        'LOG_LEVEL: "loud" is not one of trace|debug|info|warn|error|fatal|silent',
        'no message source: set ENV_MESSAGE (the message) or MESSAGE_FILE (a file holding it)',
      ],
    },
  ];
  for (const c of bad) {
    it(`rejects ${c.name}`, () => {
      expect(loadConfig(c.env)).toEqual({ ok: false, errors: c.errors });
    });
  }
});
