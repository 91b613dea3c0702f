// A tiny stand-in for VS Code's webview host: serves the built bundle (dist/webview) and a page made
// by the extension's own dashboardHtml() (same CSP and nonce), plus a fake acquireVsCodeApi that
// records postMessage calls, and the theme variables VS Code injects. Drives headless Chromium
// through playwright-core with Debian's /usr/bin/chromium.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { dashboardHtml, type DashboardMode } from '../../extension/dashboard/webviewHtml';
import type { HostToWebviewMessage, WebviewToHostMessage } from '../../shared/webviewMessages';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const BUNDLE_DIR = path.join(REPO_ROOT, 'dist', 'webview');
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A dark theme's worth of the variables VS Code sets on a webview's <html>. */
export const DARK_THEME: Record<string, string> = {
  '--vscode-font-family': 'system-ui, sans-serif',
  '--vscode-font-size': '13px',
  '--vscode-foreground': '#cccccc',
  '--vscode-editor-foreground': '#d4d4d4',
  '--vscode-editor-background': '#1e1e1e',
  '--vscode-sideBar-background': '#252526',
  '--vscode-descriptionForeground': '#9d9d9d',
  '--vscode-focusBorder': '#007fd4',
  '--vscode-button-foreground': '#ffffff',
  '--vscode-button-background': '#0e639c',
  '--vscode-button-hoverBackground': '#1177bb',
  '--vscode-button-secondaryForeground': '#ffffff',
  '--vscode-button-secondaryBackground': '#3a3d41',
  '--vscode-button-secondaryHoverBackground': '#45494e',
  '--vscode-dropdown-background': '#3c3c3c',
  '--vscode-dropdown-foreground': '#f0f0f0',
  '--vscode-dropdown-border': '#3c3c3c',
  '--vscode-textLink-foreground': '#3794ff',
  '--vscode-panel-border': 'rgba(128, 128, 128, 0.35)',
  '--vscode-editorWidget-background': '#252526',
  '--vscode-list-hoverBackground': '#2a2d2e',
  '--vscode-badge-foreground': '#ffffff',
  '--vscode-badge-background': '#4d4d4d',
  '--vscode-errorForeground': '#f48771',
  '--vscode-editorWarning-foreground': '#cca700',
  '--vscode-editorInfo-foreground': '#3794ff',
  '--vscode-testing-iconPassed': '#73c991',
  '--vscode-inputValidation-errorBackground': '#5a1d1d',
  '--vscode-inputValidation-errorBorder': '#be1100',
  '--vscode-charts-foreground': '#cccccc',
  '--vscode-charts-lines': 'rgba(204, 204, 204, 0.25)',
  '--vscode-charts-red': '#f14c4c',
  '--vscode-charts-blue': '#3794ff',
  '--vscode-charts-yellow': '#cca700',
  '--vscode-charts-orange': '#d18616',
  '--vscode-charts-green': '#89d185',
  '--vscode-charts-purple': '#b180d7',
};

export const HARNESS_NONCE = 'harnessNonce0123456789';

export interface Harness {
  origin: string;
  /** Every URL the server was asked for. */
  served: string[];
  close(): Promise<void>;
}

function pageFor(origin: string, mode: DashboardMode): string {
  const html = dashboardHtml({ cspSource: origin, scriptUri: `${origin}/dashboard.js`, styleUri: `${origin}/dashboard.css`, mode, nonce: HARNESS_NONCE });
  const theme = `html { ${Object.entries(DARK_THEME).map(([k, v]) => `${k}: ${v};`).join(' ')} }`;
  // Like VS Code: theme variables and the API exist before the bundle runs. acquireVsCodeApi may be called once.
  const fake = `<style nonce="${HARNESS_NONCE}">${theme}</style>
<script nonce="${HARNESS_NONCE}">
(() => {
  let state = null; let acquired = 0;
  window.__posted = [];
  window.__acquireCount = () => acquired;
  window.acquireVsCodeApi = () => {
    acquired++;
    if (acquired > 1) throw new Error('acquireVsCodeApi called more than once');
    return Object.freeze({
      postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))),
      getState: () => state,
      setState: (s) => { state = s; },
    });
  };
})();
</script>`;
  return html.replace('</head>', `${fake}\n</head>`);
}

export async function startHarness(): Promise<Harness> {
  const served: string[] = [];
  const types: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf' };
  let origin = '';
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    served.push(url.pathname);
    if (url.pathname === '/' || url.pathname === '/sidebar') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(pageFor(origin, url.pathname === '/sidebar' ? 'sidebar' : 'panel'));
      return;
    }
    const file = path.join(BUNDLE_DIR, path.basename(url.pathname));
    if (!fs.existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
    response.end(fs.readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // closeAllConnections: a browser's keep-alive sockets must not hold the runner open after the tests.
  return { origin, served, close: () => new Promise((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }) };
}

/**
 * Debian's Chromium: installed on first use when it is missing and this user may install packages
 * (scripts/ensure-debian-packages.sh), otherwise an error naming the command that fixes it. A
 * CHROMIUM_PATH of the user's own is used as it is.
 */
export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH) && process.env.CHROMIUM_PATH === undefined) {
    const ensure = spawnSync('bash', [path.join(REPO_ROOT, 'scripts', 'ensure-debian-packages.sh'), 'chromium'], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 600_000 });
    if (ensure.status !== 0) throw new Error('Chromium is not installed and could not be installed here: run `sudo apt-get install -y chromium`');
  }
  if (!fs.existsSync(CHROMIUM_PATH)) throw new Error(`Chromium not found at ${CHROMIUM_PATH}: run \`sudo apt-get install -y chromium\` or set CHROMIUM_PATH`);
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true, timeout: 60_000 });
}

export interface DashboardPage {
  page: Page;
  /** Every request the page made (URLs). */
  requests: string[];
  /** Console errors, page errors and CSP violations. */
  problems: string[];
  posted(): Promise<WebviewToHostMessage[]>;
  send(message: HostToWebviewMessage | unknown): Promise<void>;
  /** Posts a dashboard and resolves with ms from posting until it is rendered and painted. */
  sendAndWaitRendered(message: HostToWebviewMessage & { type: 'dashboard' }): Promise<number>;
}

export async function openDashboard(browser: Browser, harness: Harness, mode: DashboardMode, viewport = { width: 1280, height: 900 }): Promise<DashboardPage> {
  const page = await browser.newPage({ viewport });
  const requests: string[] = [];
  const problems: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  await page.goto(`${harness.origin}/${mode === 'sidebar' ? 'sidebar' : ''}`);
  await page.waitForFunction(() => (window as unknown as { __posted: unknown[] }).__posted.length > 0);
  const send = async (message: unknown) => {
    await page.evaluate((m) => window.postMessage(m, '*'), message);
  };
  return {
    page,
    requests,
    problems,
    posted: () => page.evaluate(() => (window as unknown as { __posted: WebviewToHostMessage[] }).__posted),
    send,
    // A string, not a function: tsx's name helpers do not exist inside the page.
    sendAndWaitRendered: async (message) =>
      page.evaluate(`new Promise((resolve) => {
        const m = ${JSON.stringify(message)};
        const started = performance.now();
        window.postMessage(m, '*');
        const check = () => {
          if (document.documentElement.dataset.renderedAt === String(m.data.generatedAt)) {
            // Two frames: layout, then the paint that shows it.
            requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - started)));
          } else requestAnimationFrame(check);
        };
        check();
      })`) as Promise<number>,
  };
}
