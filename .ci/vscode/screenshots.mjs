// Drives the installed VSIX in a real code-server with Debian's Chromium and saves screenshots of the
// real UI: status bar, code lens and diagnostics, hover evidence, quick fix, Run Optimization, the
// anomaly quick pick, Problems, the dashboard panel. Seeds the workspace daemon the way the product
// fills it: calls over the native API; an anomaly and a recommendation as the detector/optimizer write them.
// Env: CS_URL, WS_FOLDER, SHOTS. Runs on the system Node (better-sqlite3 from this checkout).
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { chromium } from 'playwright-core';

const base = process.env.CS_URL;
const folder = path.resolve(process.env.WS_FOLDER);
const shots = path.resolve(process.env.SHOTS ?? 'test-artifacts/screenshots');
fs.mkdirSync(shots, { recursive: true });
const t0 = Date.now();
const log = (...args) => console.log(`[screenshots ${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...args);
let page;
const fail = async (error) => {
  console.error('screenshots FAILED:', error.message.split('\n')[0]);
  if (page) await page.screenshot({ path: path.join(shots, 'failure.png') }).catch(() => {});
  process.exit(1);
};
process.on('unhandledRejection', fail);
// Its own time limit: a UI that never shows what a step waits for fails the layer instead of hanging it.
setTimeout(() => fail(new Error('screenshots: time limit of 300 s reached')), 300_000).unref();
process.on('uncaughtException', fail);
const shot = async (name) => {
  await page.waitForTimeout(600);
  await page.screenshot({ path: path.join(shots, name) });
  log('saved', name);
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function waitForFile(file, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!fs.existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`no ${file}`);
    await sleep(200);
  }
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
await page.goto(`${base}/?folder=${encodeURIComponent(folder)}`);
await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
const status = page.locator('.statusbar-item', { hasText: 'Flowtune' }).first();
await status.waitFor({ timeout: 60_000 });
log('workbench loaded; status bar:', await status.innerText());

// Seed: the extension started the daemon (daemon.json appears), then calls arrive and findings are written.
const info = await waitForFile(path.join(folder, '.flowtune', 'daemon.json'));
const now = Date.now();
const calls = [];
for (let i = 0; i < 40; i++) {
  const outline = i % 2 === 0;
  calls.push({
    id: `shot-${i}`, model: outline ? 'gpt-4o' : 'gpt-4o-mini', worker: outline ? 'outline' : 'research',
    started_at: now - 300_000 + i * 5000, latency_ms: outline ? 1800 + (i % 7) * 150 : 600 + (i % 5) * 40,
    cost_usd: outline ? 0.0042 : 0.0004, usage: { input_tokens: 600, output_tokens: 220 }, status: i % 13 === 0 ? 'error' : 'ok',
  });
}
const post = (pathname, body) =>
  fetch(`http://127.0.0.1:${info.port}${pathname}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-flowtune-token': info.token }, body: JSON.stringify(body) });
if (!(await post('/v1/ingest', { calls })).ok) throw new Error('ingest failed');
await post('/v1/ingest', { scores: calls.map((c, i) => ({ call_id: c.id, name: 'quality', value: 0.7 + (i % 4) * 0.05 })) });
const db = new Database(path.join(folder, '.flowtune', 'flowtune.db'));
db.pragma('busy_timeout = 10000');
const hasMetric = db.prepare('PRAGMA table_info(anomalies)').all().some((c) => c.name === 'metric');
const insertAnomaly = db.prepare(
  `INSERT INTO anomalies (id, kind, severity, state, series, ${hasMetric ? 'metric, ' : ''}worker, model, prompt_version, began_at, last_seen_at, baseline, current, score, title, evidence, suspected_cause)
   VALUES (?, ?, ?, 'open', ?, ${hasMetric ? '?, ' : ''}?, ?, 'v1', ?, ?, ?, ?, 0.97, ?, ?, ?)`,
);
const anomaly = (id, kind, severity, worker, model, metric, baseline, current, title, evidence, cause) =>
  insertAnomaly.run(id, kind, severity, `worker=${worker}|model=${model}|prompt=v1|metric=${metric}`, ...(hasMetric ? [metric] : []), worker, model, now - 900_000, now, baseline, current, title, JSON.stringify(evidence), cause);
anomaly('shot-a1', 'sustained_shift', 'error', 'outline', 'gpt-4o', 'latency_ms', 800, 2450, 'outline p95 latency 3.1× its baseline (800 ms → 2.45 s)', { baseline_p95_ms: 800, p95_ms: 2450, calls: 20, since: 'the last prompt change' }, 'prompt version v1 on gpt-4o');
anomaly('shot-a2', 'error_rate_spike', 'warning', 'research', 'gpt-4o-mini', 'errors', 0.01, 0.08, 'research error rate 8% (baseline 1%)', { errors: 2, calls: 20 }, 'HTTP 429 from the provider');
db.prepare(
  `INSERT INTO recommendations (id, optimizer, worker, title, state, change, evidence, expected_gain, confidence, edit, experiment_id, created_at, updated_at)
   VALUES ('shot-r1', 'model_selection', 'outline', 'Switch outline to gpt-4o-mini', 'open', ?, ?, ?, 0.96, NULL, NULL, ?, ?)`,
).run(JSON.stringify({ kind: 'model', from: 'gpt-4o', to: 'gpt-4o-mini' }), JSON.stringify({ paired_samples: 200, quality_delta: -0.004, cost_per_call: '0.0042 → 0.0004' }), JSON.stringify({ metric: 'cost', relative: -0.9, description: '−90% cost per call, quality within 0.02' }), now, now);
db.close();
log('seeded calls, 2 anomalies, 1 recommendation');

await page.locator('.statusbar-item', { hasText: /Flowtune.*2 anomalies/ }).first().waitFor({ timeout: 30_000 });
await status.hover();
await page.locator('.monaco-hover, .workbench-hover', { hasText: 'open anomalies' }).first().waitFor({ timeout: 10_000 }).catch(() => log('status tooltip not seen'));
await shot('1-statusbar-anomalies.png');
await page.mouse.move(700, 400);

// The source file: code lens, squiggle at the outline call, hover with the evidence.
await page.keyboard.press('Control+P');
await page.locator('.quick-input-widget input').fill('pipeline.ts');
await page.locator('.quick-input-list .monaco-list-row', { hasText: 'pipeline.ts' }).first().waitFor();
await page.keyboard.press('Enter');
await page.locator('.squiggly-error').first().waitFor({ timeout: 30_000 });
await page.locator('.codelens-decoration', { hasText: 'Flowtune · outline' }).first().waitFor({ timeout: 30_000 });
log('squiggle and code lens rendered');
await shot('2-codelens-diagnostics.png');
const squiggle = await page.locator('.squiggly-error').first().boundingBox();
await page.mouse.move(squiggle.x + squiggle.width / 2, squiggle.y + squiggle.height / 2);
await page.locator('.monaco-hover', { hasText: 'baseline' }).first().waitFor({ timeout: 15_000 }).catch(() => log('hover not seen'));
await shot('3-hover-evidence.png');
await page.keyboard.press('Escape');

// Quick fix: Ctrl+. on the call, pick "Apply: …", the model literal changes.
await page.mouse.click(squiggle.x + squiggle.width / 2, squiggle.y + squiggle.height / 2);
await page.keyboard.press('Escape');
await page.waitForTimeout(500);
await page.keyboard.press('Control+.');
await page.locator('.action-widget').first().waitFor({ timeout: 15_000 });
log('quick fix menu:', (await page.locator('.action-widget').first().innerText()).replace(/\n/g, ' | '));
await page.locator('.action-widget .monaco-list-row', { hasText: 'Apply: Switch outline to gpt-4o-mini' }).first().waitFor({ timeout: 15_000 });
await shot('4-quick-fix.png');
await page.locator('.action-widget .monaco-list-row', { hasText: 'Apply: Switch outline to gpt-4o-mini' }).first().click();
await page.waitForFunction(() => {
  const text = [...document.querySelectorAll('.view-line')].map((l) => l.textContent).join('\n');
  return (text.match(/gpt-4o-mini/g) ?? []).length >= 2;
}, null, { timeout: 15_000 });
log('quick fix applied: the outline call now uses gpt-4o-mini');
await shot('5-quick-fix-applied.png');

async function palette(command) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill('>' + command);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: command }).first().waitFor();
  await page.keyboard.press('Enter');
}
await palette('Flowtune: Run Optimization');
await page.locator('.notification-toast', { hasText: 'Optimization cycle done' }).first().waitFor({ timeout: 60_000 });
log('Run Optimization finished with a summary notification');
await shot('6-run-optimization.png');

await status.click();
await page.locator('.quick-input-widget', { hasText: 'open anomalies' }).first().waitFor({ timeout: 10_000 });
await shot('7-anomaly-quick-pick.png');
await page.keyboard.press('Escape');

await page.keyboard.press('Control+Shift+M');
await page.locator('.markers-panel').first().waitFor({ timeout: 15_000 }).catch(() => {});
await shot('8-problems.png');

await palette('Flowtune: Show Dashboard');
const frame = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
await frame.locator('h1, #root, body').first().waitFor({ timeout: 30_000 });
await page.waitForTimeout(1500);
await shot('9-dashboard.png');
await browser.close();
log('done');
