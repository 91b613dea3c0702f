// usage: node test/install/daemonSmoke.mjs NODE ENTRY [--expect-native-error]
// Starts `NODE ENTRY daemon` (the daemon as a user's Node runs it) on a fresh data dir, sends one run
// with a call over the native JSON API, reads it back from /v1/workers, and stops it with SIGTERM.
// With --expect-native-error, checks instead that a daemon without a SQLite module for that Node
// exits with code 78 and says in plain words what to run. Prints one line; exits non-zero on failure.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const [node, entry, flag] = process.argv.slice(2);
const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowtune-smoke-'));
const fail = (message) => {
  console.error(`daemon smoke on Node ${version}: FAILED: ${message}`);
  process.exit(1);
};
const child = spawn(node, [entry, 'daemon', '--port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'ignore', 'pipe'] });
let stderr = '';
child.stderr.on('data', (chunk) => (stderr += chunk));
const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
const limit = setTimeout(() => {
  child.kill('SIGKILL');
  fail('no answer within 30 s');
}, 30_000);

if (flag === '--expect-native-error') {
  const code = await exited;
  clearTimeout(limit);
  if (code !== 78) fail(`exit ${code}, expected 78; stderr: ${stderr}`);
  if (!/npm install -g flowtune/.test(stderr) || /\n\s+at /.test(stderr)) fail(`not a plain message with the fix: ${stderr}`);
  console.log(`daemon smoke on Node ${version}: no SQLite module → exit 78: ${stderr.trim()}`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
}

const infoFile = path.join(dataDir, 'daemon.json');
while (!fs.existsSync(infoFile)) {
  if (child.exitCode !== null) fail(`exited ${child.exitCode}: ${stderr}`);
  await new Promise((resolve) => setTimeout(resolve, 100));
}
const { port, token } = JSON.parse(fs.readFileSync(infoFile, 'utf8'));
const base = `http://127.0.0.1:${port}`;
const headers = { 'x-flowtune-token': token, 'content-type': 'application/json' };
const now = Date.now();
const batch = {
  runs: [{ id: 'smoke-run', name: 'smoke', started_at: now - 2000 }],
  steps: [{ id: 'smoke-step', run_id: 'smoke-run', worker: 'smoke-worker', started_at: now - 1900 }],
  calls: [{ id: 'smoke-call', run_id: 'smoke-run', step_id: 'smoke-step', model: 'gpt-4o-mini', started_at: now - 1800, latency_ms: 640, usage: { input_tokens: 1200, output_tokens: 300 } }],
};
const ingest = await fetch(`${base}/v1/ingest`, { method: 'POST', headers, body: JSON.stringify(batch) });
if (ingest.status !== 200) fail(`ingest answered ${ingest.status}: ${await ingest.text()}`);
const workers = await (await fetch(`${base}/v1/workers?since=${now - 3_600_000}`, { headers })).json();
const text = JSON.stringify(workers);
if (!text.includes('smoke-worker')) fail(`the call is not in /v1/workers: ${text.slice(0, 300)}`);
const health = await (await fetch(`${base}/v1/health`, { headers })).json();
child.kill('SIGTERM');
const code = await exited;
clearTimeout(limit);
if (code !== 0) fail(`exit ${code} after SIGTERM: ${stderr}`);
console.log(`daemon smoke on Node ${version}: started, ingested 1 call, read it back, stopped cleanly (health: ${JSON.stringify(health).slice(0, 80)})`);
fs.rmSync(dataDir, { recursive: true, force: true });
