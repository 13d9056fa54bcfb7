// npm run record -- --port N --out FILE [--host H] [--status S]
// A sink for an ApiServerSource (or anything that POSTs CloudEvents): one JSON line per request.
import { createWriteStream } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Command, InvalidArgumentError } from 'commander';
import { createRecordSink } from './record-sink';
import { resolveFromInvocationDir } from './invocation-dir';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('must be a port number 0-65535 (0 = any free port)');
  return n;
}
function httpStatus(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 200 || n > 599) throw new InvalidArgumentError('must be an HTTP status 200-599');
  return n;
}

const opts = new Command()
  .name('record')
  .description('Record every request received as one JSON line (the format of recorded-events/)')
  .requiredOption('--out <file>', 'JSON lines file to append to')
  .option('--port <n>', 'port to listen on (0 = any free port)', port, 8099)
  .option('--host <host>', 'address to listen on (0.0.0.0 to be reachable from a cluster)', '127.0.0.1')
  .option('--status <code>', 'status to answer every request with', httpStatus, 202)
  .showHelpAfterError()
  .parse()
  .opts<{ out: string; port: number; host: string; status: number }>();

const outPath = resolveFromInvocationDir(opts.out, process.env);
const out = createWriteStream(outPath, { flags: 'a' });
out.on('error', (err) => {
  console.error(`record: cannot write ${opts.out}: ${err.message}`);
  process.exit(2);
});
let count = 0;
const app = createRecordSink({
  status: opts.status,
  write: (line) => {
    out.write(JSON.stringify(line) + '\n');
    count++;
    console.error(
      `${line.received_at} ${line.method} ${line.path} ${line.headers['ce-type'] ?? line.headers['content-type'] ?? ''} (${count})`,
    );
  },
});
const server = app.listen(opts.port, opts.host);
server.on('error', (err) => {
  console.error(`record: cannot listen on ${opts.host}:${opts.port}: ${err.message}`);
  process.exit(2);
});
server.on('listening', () => {
  const { port: bound } = server.address() as AddressInfo;
  const shown = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host;
  console.log(`recording to ${outPath} at http://${shown}:${bound}/`);
});

function shutdown(signal: string): void {
  server.close();
  server.closeAllConnections();
  // Exit only once every line is on disk.
  out.end(() => {
    console.error(`record: ${signal}, ${count} request(s) written to ${outPath}`);
    process.exit(0);
  });
}
process.once('SIGINT', () => shutdown('SIGINT'));
process.once('SIGTERM', () => shutdown('SIGTERM'));
