// The language server's door: an HTTP Upgrade on the daemon's own port (`GET /v1/lsp`,
// `Upgrade: flowtune-lsp`), checked by the same guard as every request (token, Host, Origin), then
// JSON-RPC over the raw socket. One connection per editor window; the daemon never exits because an
// editor said `exit` or went away — it keeps collecting runs.
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { createProtocolConnection, SocketMessageReader, SocketMessageWriter, type Connection } from 'vscode-languageserver/node';
import { createConnection, type WatchDog } from 'vscode-languageserver/lib/common/server';
import { errorBody } from '../../shared/errors';
import { LSP_UPGRADE_PATH, LSP_UPGRADE_PROTOCOL } from '../../shared/protocol';
import type { DaemonContext } from '../daemonContext';
import { guardRequest } from '../server/requestGuard';
import { serveLspSession } from './lspSession';

/** Hooks the language server into the daemon's HTTP server; call once, before `listen`. */
export function attachLspServer(app: FastifyInstance, ctx: DaemonContext): void {
  const open = new Set<Duplex>();
  app.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refusal = upgradeRefusal(request, ctx);
    if (refusal) {
      const body = JSON.stringify(errorBody(refusal.message, refusal.type, refusal.type));
      socket.end(
        `HTTP/1.1 ${refusal.status} ${refusal.status === 401 ? 'Unauthorized' : refusal.status === 403 ? 'Forbidden' : 'Not Found'}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      ctx.logger.warn('language server connection refused', { reason: refusal.type });
      return;
    }
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${LSP_UPGRADE_PROTOCOL}\r\nConnection: Upgrade\r\n\r\n`);
    if (head.length > 0) socket.unshift(head);
    const netSocket = socket as Socket;
    netSocket.setNoDelay(true);
    netSocket.setKeepAlive(true, 10_000);
    open.add(socket);
    let endSession = () => {};
    const watchDog: WatchDog = {
      shutdownReceived: false,
      initialize: () => undefined,
      // An editor's `exit` ends its session only, never the daemon.
      exit: () => socket.destroy(),
    };
    const connection: Connection = createConnection(
      (logger) => createProtocolConnection(new SocketMessageReader(netSocket), new SocketMessageWriter(netSocket), logger),
      watchDog,
    );
    socket.on('error', (error) => ctx.logger.debug('language server socket error', { error: error.message }));
    socket.once('close', () => {
      open.delete(socket);
      endSession();
      connection.dispose();
      ctx.logger.info('editor disconnected from the language server');
    });
    endSession = serveLspSession(connection, ctx, app);
  });
  // Upgraded sockets are no longer the HTTP server's: end them ourselves so editors see the daemon go.
  app.addHook('preClose', (done) => {
    for (const socket of open) socket.destroy();
    done();
  });
}

function upgradeRefusal(request: IncomingMessage, ctx: DaemonContext): { status: 401 | 403 | 404; type: string; message: string } | null {
  const pathname = (request.url ?? '').split('?')[0];
  if (pathname !== LSP_UPGRADE_PATH || (request.headers.upgrade ?? '').toLowerCase() !== LSP_UPGRADE_PROTOCOL) {
    return { status: 404, type: 'not_found', message: `upgrade only on GET ${LSP_UPGRADE_PATH} with Upgrade: ${LSP_UPGRADE_PROTOCOL}` };
  }
  return guardRequest(request.headers, { port: ctx.port, token: ctx.token });
}
