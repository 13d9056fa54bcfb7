// A TCP pass-through that counts the connections a client opens (TLS passes through untouched, so
// each one is a TCP + TLS handshake the client paid for). Sits between the restart process and the
// API server (emulator or kube-apiserver) in the bench.
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

export interface CountingProxy {
  url: string;
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
    const up = connect({ port: Number(target.port), host: target.hostname, noDelay: true });
    for (const s of [client, up]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(up).pipe(client);
    client.on('close', () => up.destroy());
    up.on('close', () => client.destroy());
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
