// client-node's request layer (`configuration.httpApi`) over plain node:http(s), on the pooled agent.
// client-node 1.4 sends every request through node-fetch; profiled under load against a real
// kube-apiserver, that path costs the function, per request: an AbortSignal and its DOMException
// machinery, headers and body written separately (two TLS records, two writes), and
// `Accept-Encoding: gzip,deflate` — kube-apiserver then gzips every response above 128 KiB (a LIST
// page of Deployments is that) and the function inflates it again: two cores spent compressing for
// a connection to the same node or cluster network. Here one request is one `https.request` with
// the body written with the headers, no compression asked for, and the response kept as one Buffer.
// Authentication is untouched: client-node has already applied it to the RequestContext (bearer
// token, token-file rotation, exec plugins, client certificates, proxy agents) before `send`.
// Bodies other than a string (FormData, URLSearchParams: not used by the calls the function makes)
// go to client-node's own library.
import http from 'node:http';
import https from 'node:https';
import {
  ResponseContext,
  wrapHttpLibrary,
  type HttpLibrary,
  type RequestContext,
  type ResponseBody,
} from '@kubernetes/client-node';
import type { ConnectionPool } from './connection-pool';

export function createNodeHttpLibrary(pool: ConnectionPool, fallback: HttpLibrary): HttpLibrary {
  return wrapHttpLibrary({
    send(request: RequestContext): Promise<ResponseContext> {
      const body = request.getBody();
      if (body !== undefined && typeof body !== 'string') return fallback.send(request).toPromise();
      return sendOne(request, pool.agentFor(request.getAgent()), body);
    },
  });
}

function sendOne(
  request: RequestContext,
  agent: http.Agent | undefined,
  body: string | undefined,
): Promise<ResponseContext> {
  const url = new URL(request.getUrl());
  const headers: Record<string, string | number> = { ...request.getHeaders() };
  if (body !== undefined) headers['Content-Length'] = Buffer.byteLength(body);
  const signal = request.getSignal();
  const options: https.RequestOptions = {
    method: request.getHttpMethod(),
    headers,
    ...(agent ? { agent } : {}),
    ...(signal ? { signal } : {}),
  };
  const send = url.protocol === 'http:' ? http.request : https.request;
  return new Promise<ResponseContext>((resolve, reject) => {
    const req = send(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const buffer = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        resolve(new ResponseContext(res.statusCode ?? 0, flatHeaders(res.headers), bodyOf(buffer)));
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

function bodyOf(buffer: Buffer): ResponseBody {
  return { text: () => Promise.resolve(buffer.toString('utf8')), binary: () => Promise.resolve(buffer) };
}

/** node's IncomingHttpHeaders (lower-case names, set-cookie an array) as client-node's string map */
function flatHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
