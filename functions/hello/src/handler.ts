// hello's HTTP side: GET / on the raw node:http hot path with bodies and headers computed once,
// seed 001's /message and /messageFromFile through express (not hot, and express gives them HEAD,
// 404s and method handling for free).
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type Express } from 'express';
import type { RawHandler } from '@reroll/function-runtime';
import type { Messages } from './message';
import { wantsJson } from './wants-json';

export interface Answer {
  body: Buffer;
  /** Flat [name, value, ...] list: writeHead takes it without building a header object. */
  headers: string[];
}

export function precompute(body: string, contentType: string): Answer {
  const bytes = Buffer.from(body, 'utf8');
  return { body: bytes, headers: ['content-type', contentType, 'content-length', String(bytes.length)] };
}

export const TEXT = 'text/plain; charset=utf-8';
export const JSON_TYPE = 'application/json; charset=utf-8';

/** GET /: the message as text, or `{message, env}` for a client that prefers JSON. */
export function createRootHandler(
  messages: Messages,
  appEnv: string | null,
  onRequest: () => void = () => {},
): RawHandler {
  const text = precompute(messages.main, TEXT);
  const json = precompute(JSON.stringify({ message: messages.main, env: appEnv }), JSON_TYPE);
  const textVary = [...text.headers, 'vary', 'accept'];
  const jsonVary = [...json.headers, 'vary', 'accept'];
  return (req: IncomingMessage, res: ServerResponse) => {
    onRequest();
    if (wantsJson(req.headers.accept)) {
      res.writeHead(200, jsonVary);
      res.end(json.body);
    } else {
      res.writeHead(200, textVary);
      res.end(text.body);
    }
  };
}

/** seed 001's routes, answered from the values read at start. */
export function createApp(messages: Messages): Express {
  const app = express();
  app.disable('x-powered-by');
  const send = (res: express.Response, answer: string | undefined, missing: string) => {
    if (answer === undefined) res.status(404).type(TEXT).send(`${missing}\n`);
    else res.type(TEXT).send(answer);
  };
  app.get('/', (_req, res) => res.type(TEXT).send(messages.main)); // HEAD / lands here
  app.get('/message', (_req, res) => send(res, messages.fromEnv, 'ENV_MESSAGE is not set'));
  app.get('/messageFromFile', (_req, res) => send(res, messages.fromFile, 'no message file: MESSAGE_FILE is not set'));
  app.use((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD')
      res.status(405).set('allow', 'GET, HEAD').type(TEXT).send('method not allowed\n');
    else res.status(404).type(TEXT).send('not found\n');
  });
  return app;
}
