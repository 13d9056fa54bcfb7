// A TLS front for a real kube-apiserver that forwards every request unchanged (the caller's own
// Authorization header, so RBAC and the audit log see the caller) and, when armed, runs "another
// writer" just before forwarding a matching write. The other writer's change lands between the
// caller's read and its write, so the apiserver itself answers the write 409 (stale resourceVersion):
// a real conflict, not a made-up status, which is what a function's re-read path must survive.
import { readFile } from 'node:fs/promises';
import { request as httpsRequest, createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface InterposedWrite {
  method: string;
  path: string;
}

export interface ConcurrentWriterProxy {
  /** `https://127.0.0.1:<port>`, served with the apiserver's own certificate (same CA, IP SAN 127.0.0.1) */
  url: string;
  /**
   * before each of the next `times` requests for which `match` holds, await `write()` (the other
   * writer), then forward the request as it came
   */
  arm(match: (r: InterposedWrite) => boolean, write: () => Promise<void>, times?: number): void;
  /** how many armed writes ran */
  fired(): number;
  stop(): Promise<void>;
}

/** `controlPlaneDir` holds envtest's `server.crt`/`server.key` (signed by the CA kubeconfigs trust) */
export async function startConcurrentWriterProxy(options: {
  upstream: string;
  caFile: string;
  controlPlaneDir: string;
}): Promise<ConcurrentWriterProxy> {
  const upstream = new URL(options.upstream);
  const [ca, cert, key] = await Promise.all([
    readFile(options.caFile),
    readFile(path.join(options.controlPlaneDir, 'server.crt')),
    readFile(path.join(options.controlPlaneDir, 'server.key')),
  ]);
  let armed: { match: (r: InterposedWrite) => boolean; write: () => Promise<void>; left: number } | undefined;
  let fired = 0;

  const forward = (req: IncomingMessage, body: Buffer, res: ServerResponse) => {
    const headers = { ...req.headers, host: upstream.host };
    const out = httpsRequest(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers, ca },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    // a watch or a long GET is closed by the client: close the upstream request with it
    res.on('close', () => out.destroy());
    out.end(body);
  };

  const server: Server = createServer({ cert, key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const seen = { method: req.method ?? '', path: (req.url ?? '').split('?')[0]! };
      const hook = armed && armed.left > 0 && armed.match(seen) ? armed : undefined;
      if (!hook) return forward(req, body, res);
      hook.left -= 1;
      fired += 1;
      hook.write().then(
        () => forward(req, body, res),
        (err: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`the concurrent writer failed: ${String(err)}`);
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    arm(match, write, times = 1) {
      armed = { match, write, left: times };
    },
    fired: () => fired,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
