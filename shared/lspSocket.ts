// The client half of the LSP door: open a TCP connection to the daemon, send the HTTP Upgrade with
// the token, wait for `101 Switching Protocols`, and hand back the raw socket for JSON-RPC.
// Used by the extension and by tests; Node built-ins only.
import * as net from 'node:net';
import { LSP_UPGRADE_PATH, LSP_UPGRADE_PROTOCOL } from './protocol';

export class LspUpgradeError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
  }
}

export interface LspEndpoint {
  port: number;
  token: string;
}

/**
 * Resolves with a socket speaking JSON-RPC to the daemon's language server, paused so no byte is lost
 * before a reader listens: call `resume()` once it does. Rejects with why not.
 */
export function connectLspSocket(endpoint: LspEndpoint, timeoutMs = 5000): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port: endpoint.port });
    let received = Buffer.alloc(0);
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(timeoutMs, () => fail(new LspUpgradeError(`no answer from the daemon on port ${endpoint.port} within ${timeoutMs} ms`, null)));
    socket.once('error', fail);
    socket.once('connect', () => {
      socket.write(
        `GET ${LSP_UPGRADE_PATH} HTTP/1.1\r\nHost: 127.0.0.1:${endpoint.port}\r\nConnection: Upgrade\r\n` +
          `Upgrade: ${LSP_UPGRADE_PROTOCOL}\r\nx-flowtune-token: ${endpoint.token}\r\n\r\n`,
      );
    });
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const headerEnd = received.indexOf('\r\n\r\n');
      if (headerEnd < 0) {
        if (received.length > 16_384) fail(new LspUpgradeError('the daemon sent an oversized upgrade answer', null));
        return;
      }
      socket.off('data', onData);
      const head = received.subarray(0, headerEnd).toString('latin1');
      const rest = received.subarray(headerEnd + 4);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? NaN);
      if (status !== 101) {
        let message = head.split('\r\n')[0];
        try {
          const body = JSON.parse(rest.toString('utf8')) as { error?: { message?: string } };
          if (body.error?.message) message = body.error.message;
        } catch {
          // keep the status line
        }
        fail(new LspUpgradeError(`the daemon refused the language server connection: ${message}`, Number.isFinite(status) ? status : null));
        return;
      }
      socket.setTimeout(0);
      socket.off('error', fail);
      socket.pause();
      if (rest.length > 0) socket.unshift(rest);
      resolve(socket);
    };
    socket.on('data', onData);
  });
}
