// A TCP pass-through in front of an API server (the emulator or a real kube-apiserver) that counts the
// connections clients open: TLS goes through untouched (the server terminates it), so the count is
// exactly the TCP+TLS handshakes a client paid for. Used by the restart tests and the bench alike.
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

export interface CountingProxy {
  /** `https://127.0.0.1:<port>` (or http, as the upstream) */
  url: string;
  /** connections accepted since start (or the last reset) */
  connections(): number;
  reset(): void;
  stop(): Promise<void>;
}

export async function startCountingProxy(upstream: string): Promise<CountingProxy> {
  const target = new URL(upstream);
  const sockets = new Set<Socket>();
  let count = 0;
  const server = createServer((client) => {
    count++;
    client.setNoDelay(true);
    const server = connect({ port: Number(target.port), host: target.hostname, noDelay: true });
    for (const s of [client, server]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(server).pipe(client);
    client.on('close', () => server.destroy());
    server.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${target.protocol}//127.0.0.1:${port}`,
    connections: () => count,
    reset: () => {
      count = 0;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
