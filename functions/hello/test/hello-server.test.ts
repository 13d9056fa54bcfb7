// hello as a user meets it: a real server on 127.0.0.1, port 0.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HelloConfig } from '../src/config';
import { resolveMessages } from '../src/message';
import { startHello, type Hello } from '../src/start-hello';

const config: HelloConfig = {
  port: 0,
  host: '127.0.0.1',
  envMessage: 'hello from test environment',
  messageFile: '/etc/hello/message',
  appEnv: 'test',
  logFormat: 'json',
  logLevel: 'info',
};
const logs: string[] = [];
let hello: Hello;
let url: string;

beforeAll(async () => {
  const resolved = resolveMessages({
    envMessage: config.envMessage,
    file: { path: '/etc/hello/message', text: "MESSAGE = 'from the mounted file'\n" },
  });
  if (!resolved.ok) throw new Error(resolved.errors.join('; '));
  hello = await startHello({ config, messages: resolved.messages, logDestination: { write: (l) => logs.push(l) } });
  url = hello.server.url;
});

afterAll(async () => {
  await hello?.server.close();
});

describe('hello over HTTP', () => {
  const cases = [
    {
      name: 'GET / answers the message as text',
      path: '/',
      status: 200,
      type: 'text/plain',
      body: 'hello from test environment',
    },
    {
      name: 'GET / ignores a query string',
      path: '/?x=1',
      status: 200,
      type: 'text/plain',
      body: 'hello from test environment',
    },
    {
      name: 'GET / answers JSON when asked',
      path: '/',
      accept: 'application/json',
      status: 200,
      type: 'application/json',
      body: '{"message":"hello from test environment","env":"test"}',
    },
    {
      name: 'GET / stays text for curl (*/*)',
      path: '/',
      accept: '*/*',
      status: 200,
      type: 'text/plain',
      body: 'hello from test environment',
    },
    {
      name: "seed 001's /message (ENV_MESSAGE)",
      path: '/message',
      status: 200,
      type: 'text/plain',
      body: 'hello from test environment',
    },
    {
      name: "seed 001's /messageFromFile (MESSAGE of the file)",
      path: '/messageFromFile',
      status: 200,
      type: 'text/plain',
      body: 'from the mounted file',
    },
    { name: 'an unknown path is a 404', path: '/nope', status: 404, type: 'text/plain', body: 'not found\n' },
    { name: 'liveness', path: '/healthz', status: 200, type: 'text/plain', body: 'ok\n' },
    { name: 'readiness', path: '/readyz', status: 200, type: 'text/plain', body: 'ready\n' },
    { name: 'OpenFaaS readiness', path: '/_/ready', status: 200, type: 'text/plain', body: 'ready\n' },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const res = await fetch(`${url}${c.path}`, { headers: c.accept ? { accept: c.accept } : {} });
      expect(res.status).toBe(c.status);
      expect(res.headers.get('content-type')).toContain(c.type);
      expect(await res.text()).toBe(c.body);
    });
  }

  it('tells caches that the answer depends on Accept', async () => {
    const res = await fetch(`${url}/`);
    expect(res.headers.get('vary')).toBe('accept');
  });

  it('answers HEAD / with the headers of GET and no body', async () => {
    const res = await fetch(`${url}/`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength('hello from test environment')));
    expect(await res.text()).toBe('');
  });

  it('refuses writes with 405 and says what is allowed', async () => {
    const res = await fetch(`${url}/`, { method: 'POST', body: 'x' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });

  it('counts GET / in /metrics', async () => {
    const before = Number(/^hello_root_requests_total (\d+)/m.exec(await (await fetch(`${url}/metrics`)).text())?.[1]);
    await fetch(`${url}/`);
    await fetch(`${url}/`);
    const after = Number(/^hello_root_requests_total (\d+)/m.exec(await (await fetch(`${url}/metrics`)).text())?.[1]);
    expect(after - before).toBe(2);
  });

  it('logs where the message came from, never the message', () => {
    const text = logs.join('');
    expect(text).toContain('message read once from ENV_MESSAGE');
    expect(text).not.toContain('hello from test environment');
    expect(text).not.toContain('from the mounted file');
  });
});

describe('hello without ENV_MESSAGE', () => {
  it('answers GET / from the file and /message with a 404 that names the variable', async () => {
    const resolved = resolveMessages({ file: { path: '/m', text: 'only in the file\n' } });
    if (!resolved.ok) throw new Error('unexpected');
    const other = await startHello({
      config: { ...config, envMessage: undefined },
      messages: resolved.messages,
      logDestination: { write: () => {} },
    });
    try {
      expect(await (await fetch(`${other.server.url}/`)).text()).toBe('only in the file');
      const res = await fetch(`${other.server.url}/message`);
      expect(res.status).toBe(404);
      expect(await res.text()).toBe('ENV_MESSAGE is not set\n');
    } finally {
      await other.server.close();
    }
  });
});
