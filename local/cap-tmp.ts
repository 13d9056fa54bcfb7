import { createServer, request } from 'node:http';
import { writeFileSync } from 'node:fs';
import { startEmulator } from './src/emulator/index';
const emu = await startEmulator({ kubeconfigPath: '/tmp/pb/emu-kc' });
let n = 0;
const proxy = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    if ((req.headers['content-type'] ?? '').includes('protobuf'))
      writeFileSync(`/tmp/pb/req-${n++}-${req.url!.split('?')[0]!.replace(/\//g, '_')}.pb`, body);
    const up = request(emu.url + req.url, { method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode!, r.headers);
      r.pipe(res);
    });
    up.end(body);
  });
});
proxy.listen(18555, '127.0.0.1');
console.log('ready');
setTimeout(() => process.exit(0), 120000);
