// The daemon answers only local programs holding its token: DNS rebinding and cross-site requests fail.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { startTestDaemon, type TestDaemon } from '../../support/daemonHarness';

function rawRequest(port: number, headers: Record<string, string>, pathname = '/v1/health'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: pathname, method: 'GET', headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('daemon request guard', () => {
  let daemon: TestDaemon;
  before(async () => {
    daemon = await startTestDaemon();
  });
  after(async () => {
    await daemon.stop();
  });

  it('writes daemon.json with pid, port and token, readable by the owner only', () => {
    const file = path.join(daemon.dataDir, 'daemon.json');
    const info = JSON.parse(fs.readFileSync(file, 'utf8')) as { pid: number; port: number; token: string };
    assert.equal(info.pid, process.pid);
    assert.equal(info.port, daemon.daemon.ctx.port);
    assert.equal(info.token, daemon.token);
    assert.ok(info.token.length >= 32);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  });

  it('answers a request with the token', async () => {
    const response = await daemon.request('/v1/health');
    assert.equal(response.status, 200);
    const body = (await response.json()) as { ok: boolean; schema_version: number };
    assert.equal(body.ok, true);
    assert.ok(body.schema_version >= 1);
  });

  it('refuses a missing token with 401 and an OpenAI-shaped error', async () => {
    const response = await fetch(`${daemon.url}/v1/health`);
    assert.equal(response.status, 401);
    const body = (await response.json()) as { error: { type: string; message: string } };
    assert.equal(body.error.type, 'missing_token');
    assert.match(body.error.message, /x-flowtune-token/);
  });

  it('refuses a wrong token with 401', async () => {
    const response = await fetch(`${daemon.url}/v1/health`, { headers: { 'x-flowtune-token': 'x'.repeat(32) } });
    assert.equal(response.status, 401);
    assert.equal(((await response.json()) as { error: { type: string } }).error.type, 'invalid_token');
  });

  it('refuses a foreign Host header even with the right token (DNS rebinding)', async () => {
    const result = await rawRequest(daemon.daemon.ctx.port, { host: `evil.example:${daemon.daemon.ctx.port}`, 'x-flowtune-token': daemon.token });
    assert.equal(result.status, 403);
    assert.match(result.body, /forbidden_host/);
  });

  it('refuses a browser Origin even with the right token (CSRF)', async () => {
    const result = await rawRequest(daemon.daemon.ctx.port, {
      host: `127.0.0.1:${daemon.daemon.ctx.port}`,
      origin: 'https://evil.example',
      'x-flowtune-token': daemon.token,
    });
    assert.equal(result.status, 403);
    assert.match(result.body, /forbidden_origin/);
  });

  it('refuses cross-site fetch metadata without an Origin', async () => {
    const result = await rawRequest(daemon.daemon.ctx.port, {
      host: `localhost:${daemon.daemon.ctx.port}`,
      'sec-fetch-site': 'cross-site',
      'x-flowtune-token': daemon.token,
    });
    assert.equal(result.status, 403);
  });

  it('accepts the token carried in the URL path (/t/<token>/…), for base-URL-only clients', async () => {
    const ok = await fetch(`${daemon.url}/t/${daemon.token}/v1/health`);
    assert.equal(ok.status, 200);
    const wrong = await fetch(`${daemon.url}/t/${'y'.repeat(32)}/v1/health`);
    assert.equal(wrong.status, 401);
  });

  it('answers unknown routes with 404 in the error shape', async () => {
    const response = await daemon.request('/v1/nothing-here');
    assert.equal(response.status, 404);
    assert.equal(((await response.json()) as { error: { type: string } }).error.type, 'not_found');
  });
});
