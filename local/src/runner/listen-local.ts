import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerError } from './forward-request';

/**
 * A local HTTP server for one part of the runner (gateway, activator): a failing handler answers 500
 * naming the part instead of leaving the client hanging; resolves once it listens.
 */
export async function listenLocal(
  part: string,
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  port: number,
  host = '127.0.0.1',
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => answerError(res, 500, `${part}: ${(err as Error).message}`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}
