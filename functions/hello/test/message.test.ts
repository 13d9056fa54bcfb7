import { describe, expect, it } from 'vitest';
import { parseMessageFile, resolveMessages, type MessageInputs } from '../src/message';

describe('parseMessageFile', () => {
  const cases = [
    {
      name: 'a ConfigMap key mounted as a file',
      text: 'hello from test environment\n',
      message: 'hello from test environment',
    },
    { name: 'plain text keeps inner newlines', text: 'line one\nline two\n', message: 'line one\nline two' },
    { name: "seed 001's Python config.cfg", text: "MESSAGE = 'Hello from the file'\n", message: 'Hello from the file' },
    {
      name: 'dotenv with double quotes and escapes',
      text: 'OTHER=1\nMESSAGE="say \\"hi\\"\\nbye"\n',
      message: 'say "hi"\nbye',
    },
    { name: 'dotenv unquoted with a comment', text: '# the greeting\nMESSAGE=hola # Spanish\n', message: 'hola' },
    { name: 'export prefix', text: 'export MESSAGE=exported\n', message: 'exported' },
    { name: 'the last MESSAGE wins, as in dotenv', text: 'MESSAGE=first\nMESSAGE=second\n', message: 'second' },
    { name: 'Windows line endings', text: 'MESSAGE=crlf\r\n', message: 'crlf' },
    {
      name: 'a plain message with = and : stays plain',
      text: 'status: ok, 2+2=4\nGREETING=hi\n',
      message: 'status: ok, 2+2=4\nGREETING=hi',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(parseMessageFile(c.text, '/etc/hello/message')).toEqual({ ok: true, message: c.message });
    });
  }

  const bad = [
    { name: 'an empty file', text: '', error: '/etc/hello/message is empty' },
    { name: 'whitespace only', text: '  \n\n', error: '/etc/hello/message is empty' },
  ];
  for (const c of bad) {
    it(`rejects ${c.name}`, () => {
      const parsed = parseMessageFile(c.text, '/etc/hello/message');
      expect(parsed.ok).toBe(false);
      expect(parsed.ok ? '' : parsed.error).toContain(c.error);
    });
  }
});

describe('resolveMessages', () => {
  const cases: Array<{
    name: string;
    inputs: MessageInputs;
    main?: string;
    fromEnv?: string;
    fromFile?: string;
    errors?: string[];
  }> = [
    { name: 'env only', inputs: { envMessage: 'from env' }, main: 'from env', fromEnv: 'from env' },
    {
      name: 'file only',
      inputs: { file: { path: '/m', text: 'from file\n' } },
      main: 'from file',
      fromFile: 'from file',
    },
    {
      name: 'both: GET / answers the env value, each route its own',
      inputs: { envMessage: 'env', file: { path: '/m', text: 'MESSAGE=file' } },
      main: 'env',
      fromEnv: 'env',
      fromFile: 'file',
    },
    { name: 'an empty ENV_MESSAGE is still a message', inputs: { envMessage: '' }, main: '', fromEnv: '' },
    {
      name: 'nothing configured',
      inputs: {},
      errors: ['no message source: set ENV_MESSAGE (the message) or MESSAGE_FILE (a file holding it)'],
    },
    {
      name: 'an unreadable file fails the start even with ENV_MESSAGE set',
      inputs: { envMessage: 'env', file: { path: '/etc/hello/message', readError: 'no such file' } },
      errors: ['MESSAGE_FILE: cannot read /etc/hello/message: no such file'],
    },
    {
      name: 'an empty file',
      inputs: { file: { path: '/etc/hello/message', text: '\n' } },
      errors: ['MESSAGE_FILE: /etc/hello/message is empty'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const result = resolveMessages(c.inputs);
      if (c.errors) expect(result).toEqual({ ok: false, errors: c.errors });
      else expect(result).toEqual({ ok: true, messages: { main: c.main, fromEnv: c.fromEnv, fromFile: c.fromFile } });
    });
  }
});
