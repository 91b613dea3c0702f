// The ingest baseline: a bare node:http server in its own process on loopback that reads the whole
// body and answers `{}`. Same process model as the daemon (one Node process), no framework, no
// decoding, no storage: what the machine can do for HTTP alone with these bodies and this client.
import { spawn, type ChildProcess } from 'node:child_process';

const SERVER_SOURCE = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    res.writeHead(200, { 'content-type': 'application/json', 'x-bytes': String(body.length) });
    res.end('{}');
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: server.address().port }) + '\\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

export interface BareServer {
  child: ChildProcess;
  pid: number;
  origin: string;
  stop(): Promise<void>;
}

export function startBareHttpServer(): Promise<BareServer> {
  const child = spawn(process.execPath, ['-e', SERVER_SOURCE], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('bare HTTP server did not start'));
    }, 10_000);
    child.once('exit', (code) => reject(new Error(`bare HTTP server exited with ${code}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const newline = out.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      const { port } = JSON.parse(out.slice(0, newline)) as { port: number };
      resolve({
        child,
        pid: child.pid ?? -1,
        origin: `http://127.0.0.1:${port}`,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.removeAllListeners('exit');
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}
