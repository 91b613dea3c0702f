// `npm run test:webview`: the built dashboard bundle (dist/webview) in real headless Chromium with
// fixture data, through the harness that plays VS Code's webview host. Prints
// "webview: N passed, N failed" and keeps screenshots in test-artifacts/screenshots/webview-*.png.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { dashboardFixture, emptyDashboardFixture, XSS_IMG, XSS_SCRIPT, XSS_WORKER } from './fixtures';
import { HARNESS_NONCE, launchChromium, openDashboard, REPO_ROOT, startHarness, type DashboardPage, type Harness } from './harness';

const SCREENSHOTS = path.join(REPO_ROOT, 'test-artifacts', 'screenshots');
const VIEWS = ['overview', 'series', 'workers', 'anomalies', 'recommendations', 'experiments', 'learning', 'report', 'decisions'];

interface Case {
  name: string;
  run: (env: { browser: Browser; harness: Harness }) => Promise<void>;
}

async function panelWithData(env: { browser: Browser; harness: Harness }, generatedAt = Date.parse('2026-11-21T12:00:00Z')): Promise<DashboardPage & { renderMs: number }> {
  const dash = await openDashboard(env.browser, env.harness, 'panel');
  const renderMs = await dash.sendAndWaitRendered({ type: 'dashboard', data: dashboardFixture(generatedAt) });
  return Object.assign(dash, { renderMs });
}

/** Pixels of a canvas that are not fully transparent. */
async function paintedPixels(dash: DashboardPage, testId: string): Promise<number> {
  return dash.page.evaluate(`(() => {
    const canvas = document.querySelector('[data-testid="${testId}"] canvas');
    if (!canvas || canvas.width === 0) return 0;
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) painted++;
    return painted;
  })()`) as Promise<number>;
}

const cases: Case[] = [
  {
    name: 'the page carries a strict CSP with a nonce, loads only from its own origin and asks for data once ready',
    run: async (env) => {
      const dash = await openDashboard(env.browser, env.harness, 'panel');
      const csp = await dash.page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
      assert.ok(csp, 'CSP meta present');
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, new RegExp(`script-src 'nonce-${HARNESS_NONCE}'`));
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
      assert.deepEqual((await dash.posted())[0], { type: 'ready', windowHours: 24 });
      assert.equal(await dash.page.evaluate(() => (window as unknown as { __acquireCount(): number }).__acquireCount()), 1);
      assert.ok(await dash.page.getByText('Loading the dashboard…').isVisible());
      await dash.page.close();
    },
  },
  {
    name: 'every view renders with fixture data, and no request leaves the webview origin',
    run: async (env) => {
      const dash = await panelWithData(env);
      for (const view of VIEWS) assert.ok(await dash.page.locator(`[data-testid="view-${view}"]`).isVisible(), `view ${view} is visible`);
      const text = await dash.page.locator('main').innerText();
      for (const expected of ['1,248', '$4.21', 'Savings to date', '$8.14', 'Route', 'replay', '−60.0%', 'cycle 9', 'Evolution report', '7 autonomous decisions', 'dismissed "Lower critic temperature"']) {
        assert.ok(text.includes(expected), `text contains ${expected}`);
      }
      const outside = dash.requests.filter((url) => !url.startsWith(env.harness.origin));
      assert.deepEqual(outside, [], 'no request outside the webview origin');
      assert.deepEqual(dash.problems, [], 'no console errors, page errors or CSP violations');
      fs.mkdirSync(SCREENSHOTS, { recursive: true });
      await dash.page.screenshot({ path: path.join(SCREENSHOTS, 'webview-panel.png'), fullPage: true });
      await dash.page.close();
    },
  },
  {
    name: 'charts are drawn: every chart canvas has painted pixels',
    run: async (env) => {
      const dash = await panelWithData(env);
      for (const chart of ['chart-latency', 'chart-cost', 'chart-quality', 'chart-errors', 'chart-learning']) {
        const painted = await paintedPixels(dash, chart);
        assert.ok(painted > 500, `${chart} has ${painted} painted pixels`);
      }
      // Switching the worker redraws the charts for that worker.
      await dash.page.selectOption('select[aria-label="Worker to chart"]', 'outline');
      assert.match(await dash.page.locator('[data-testid="chart-latency"] figcaption').innerText(), /^outline/);
      assert.ok((await paintedPixels(dash, 'chart-latency')) > 500);
      await dash.page.locator('[data-testid="view-series"]').screenshot({ path: path.join(SCREENSHOTS, 'webview-charts.png') });
      await dash.page.close();
    },
  },
  {
    name: 'Apply and Dismiss send the right messages and show the result from the host',
    run: async (env) => {
      const dash = await panelWithData(env);
      const rec = dash.page.locator('[data-testid="recommendation-rec_open"]');
      await rec.getByRole('button', { name: /^Apply recommendation/ }).click();
      assert.deepEqual((await dash.posted()).at(-1), { type: 'applyRecommendation', id: 'rec_open' });
      assert.ok(await rec.getByRole('button', { name: /^Apply recommendation/ }).isDisabled(), 'buttons wait for the answer');
      await dash.send({ type: 'recommendationResult', id: 'rec_open', action: 'apply', ok: true, state: 'applied', message: 'Applied — now applied.' });
      await rec.getByRole('status').getByText('Applied — now applied.').waitFor();
      await dash.page.locator('[data-testid="recommendation-rec_prompt"]').getByRole('button', { name: /^Dismiss recommendation/ }).click();
      assert.deepEqual((await dash.posted()).at(-1), { type: 'dismissRecommendation', id: 'rec_prompt' });
      await dash.send({ type: 'recommendationResult', id: 'rec_prompt', action: 'dismiss', ok: false, state: null, message: 'Dismiss failed: recommendation is applied' });
      await dash.page.getByText('Dismiss failed: recommendation is applied').waitFor();
      // An applied recommendation offers neither button.
      assert.equal(await dash.page.locator('[data-testid="recommendation-rec_done"] button').count(), 0);
      await dash.page.close();
    },
  },
  {
    name: 'XSS payloads in worker names, titles, prompts and summaries show as text and never run',
    run: async (env) => {
      const dash = await panelWithData(env);
      assert.equal(await dash.page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss), undefined, 'window.__xss stays undefined');
      const text = await dash.page.locator('main').innerText();
      assert.ok(text.includes(XSS_WORKER), 'worker name with <img onerror> is visible literally');
      assert.ok(text.includes(XSS_SCRIPT), 'the <script> payload is visible literally');
      assert.ok(text.includes(XSS_IMG));
      assert.equal(await dash.page.locator('main img').count(), 0, 'no <img> element was created');
      assert.equal(await dash.page.locator('body script').count(), 1, 'only the bundle script exists');
      // Reveal the marker list too (its labels carry a payload) and check again.
      await dash.page.locator('[data-testid="view-series"] summary').click();
      assert.ok(await dash.page.getByText(`latency spike ${XSS_SCRIPT}`).isVisible());
      assert.equal(await dash.page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss), undefined);
      assert.ok(!dash.requests.some((url) => url.endsWith('/x')), 'the img payload made no request');
      await dash.page.close();
    },
  },
  {
    name: 'usable from the keyboard: Tab reaches the Apply button, Enter applies, focus is visible',
    run: async (env) => {
      const dash = await panelWithData(env);
      let found = false;
      for (let i = 0; i < 80 && !found; i++) {
        await dash.page.keyboard.press('Tab');
        found = await dash.page.evaluate(() => (document.activeElement?.getAttribute('aria-label') ?? '').startsWith('Apply recommendation'));
      }
      assert.ok(found, 'Tab reaches an Apply button');
      const outline = await dash.page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle);
      assert.notEqual(outline, 'none', 'the focused button shows a focus ring');
      await dash.page.keyboard.press('Enter');
      assert.deepEqual((await dash.posted()).at(-1), { type: 'applyRecommendation', id: 'rec_open' });
      await dash.page.close();
    },
  },
  {
    name: 'window buttons and refresh ask the host for data; invalid and error messages are handled',
    run: async (env) => {
      const dash = await panelWithData(env);
      await dash.page.getByRole('button', { name: '7 d' }).click();
      assert.deepEqual((await dash.posted()).at(-1), { type: 'refresh', windowHours: 168 });
      await dash.page.getByRole('button', { name: 'Refresh dashboard' }).click();
      assert.deepEqual((await dash.posted()).at(-1), { type: 'refresh', windowHours: 168 });
      await dash.send({ type: 'dashboard', data: { nope: true } });
      await dash.send({ type: 'unknownType' });
      await dash.send({ type: 'error', message: `daemon down ${XSS_IMG}` });
      await dash.page.getByRole('alert').getByText(`daemon down ${XSS_IMG}`).waitFor();
      assert.ok(await dash.page.locator('[data-testid="view-overview"]').isVisible(), 'the last data stays on screen');
      assert.equal(await dash.page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss), undefined);
      await dash.page.close();
    },
  },
  {
    name: 'an empty store renders every section with its empty state',
    run: async (env) => {
      const dash = await openDashboard(env.browser, env.harness, 'panel');
      await dash.sendAndWaitRendered({ type: 'dashboard', data: emptyDashboardFixture() });
      for (const view of VIEWS) assert.ok(await dash.page.locator(`[data-testid="view-${view}"]`).isVisible(), `view ${view} is visible`);
      for (const text of ['No calls in this window.', 'No anomalies detected.', 'No recommendations yet.', 'No experiments yet.', 'No report yet: no runs recorded.', 'No decisions logged yet.']) {
        assert.ok(await dash.page.getByText(text).isVisible(), text);
      }
      assert.deepEqual(dash.problems, []);
      await dash.page.screenshot({ path: path.join(SCREENSHOTS, 'webview-empty.png'), fullPage: true });
      await dash.page.close();
    },
  },
  {
    name: 'the compact sidebar view shows key figures and actionable recommendations',
    run: async (env) => {
      const dash = await openDashboard(env.browser, env.harness, 'sidebar', { width: 320, height: 700 });
      await dash.sendAndWaitRendered({ type: 'dashboard', data: dashboardFixture() });
      assert.ok(await dash.page.locator('[data-testid="view-summary"]').isVisible());
      assert.ok(await dash.page.locator('[data-testid="view-recommendations"]').isVisible());
      assert.equal(await dash.page.locator('[data-testid="view-series"]').count(), 0, 'no charts in the sidebar');
      assert.equal(await dash.page.locator('[data-testid="recommendation-rec_done"]').count(), 0, 'only actionable recommendations');
      await dash.page.getByRole('button', { name: 'Open dashboard' }).click();
      assert.deepEqual((await dash.posted()).at(-1), { type: 'openFullDashboard' });
      assert.equal(await dash.page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss), undefined);
      assert.deepEqual(dash.problems, []);
      await dash.page.screenshot({ path: path.join(SCREENSHOTS, 'webview-sidebar.png'), fullPage: true });
      await dash.page.close();
    },
  },
  {
    name: 'renders a full payload quickly (first paint after the data arrives)',
    run: async (env) => {
      const dash = await panelWithData(env);
      // The first render includes parsing, layout and four charts; a second payload is the live-update path.
      const update = await dash.sendAndWaitRendered({ type: 'dashboard', data: dashboardFixture(Date.parse('2026-11-21T12:05:00Z')) });
      process.stdout.write(`    render after data: first ${dash.renderMs.toFixed(1)} ms, update ${update.toFixed(1)} ms\n`);
      assert.ok(dash.renderMs < 1_000, `first render took ${dash.renderMs} ms`);
      await dash.page.close();
    },
  },
];

/** Each case's own time limit: a page that never renders fails its case instead of hanging the layer. */
const CASE_TIME_LIMIT_MS = 90_000;

function withinTimeLimit<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result after ${CASE_TIME_LIMIT_MS / 1000} s`)), CASE_TIME_LIMIT_MS);
  });
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}

async function main(): Promise<number> {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'webview', 'dashboard.js'))) throw new Error('dist/webview/dashboard.js is missing: run `npm run build` first');
  let harness: Harness | undefined;
  let browser: Browser | undefined;
  let passed = 0;
  let failed = 0;
  try {
    harness = await startHarness();
    browser = await launchChromium();
    for (const c of cases) {
      try {
        await withinTimeLimit(c.run({ browser, harness }), c.name);
        passed++;
        process.stdout.write(`  ✓ ${c.name}\n`);
      } catch (error) {
        failed++;
        process.stdout.write(`  ✗ ${c.name}\n    ${(error as Error).stack ?? String(error)}\n`);
      }
    }
  } finally {
    // The browser always closes, whatever failed above; a close that itself hangs is cut short.
    await browser?.close().catch(() => undefined);
    await harness?.close();
  }
  process.stdout.write(`webview: ${passed} passed, ${failed} failed\n`);
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stdout.write(`webview: 0 passed, 1 failed\n${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
