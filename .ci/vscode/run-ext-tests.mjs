// Runs the editor suite inside code-server's real (Node) extension host, as VS Code's own browser
// integration tests do: Chromium opens the workbench with a `payload` naming extensionDevelopmentPath
// and extensionTestsPath (the server must run with --vscode-option enable-smoke-test-driver); the exit
// code comes back through window.codeAutomationExit. Env: CS_URL, EXT_DEV_PATH, EXT_TESTS_PATH, WS_FOLDER.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium } from 'playwright-core';

const base = new URL(process.env.CS_URL ?? 'http://127.0.0.1:8080');
const remote = (p) => `vscode-remote://${base.host}${path.resolve(p)}`;
const payload = [
  ['extensionDevelopmentPath', remote(process.env.EXT_DEV_PATH)],
  ['extensionTestsPath', remote(process.env.EXT_TESTS_PATH)],
  ['skipWelcome', 'true'],
];
const consoleLog = fs.createWriteStream(process.env.CONSOLE_LOG ?? '/dev/null');
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage();
const timer = setTimeout(() => {
  console.error('editor tests: TIMEOUT waiting for the extension host');
  process.exit(124);
}, Number(process.env.TEST_TIMEOUT_MS ?? 300_000));
// The page's console carries the extension host's output: mocha's lines go to stdout, the noise to a file.
const noise =
  /^(DEBUG|\s*INFO|\s*TRACE|Failed to load resource)|color: #|^\s+at |ENOTFOUND|Creating a socket|Resolved connection token|\[reconnection-grace-time\]|web worker extension host|Updating additional builtin|\[Service Worker\]|allow-scripts and allow-same-origin|\[AgentHost|\[AccountPolicyGate\]/;
const show = (text) => {
  consoleLog.write(text + '\n');
  if (!process.env.VERBOSE && noise.test(text.split('\n')[0])) return;
  for (const line of text.split('\n')) if (process.env.VERBOSE || !noise.test(line)) console.log(line.replace(/^\[Extension Host\] /, ''));
};
page.on('console', (message) => show(message.text()));
page.on('pageerror', (error) => console.error('pageerror', error.message));
await page.exposeFunction('codeAutomationLog', (_type, args) => show((args ?? []).map(String).join(' ')));
await page.exposeFunction('codeAutomationExit', async (code) => {
  clearTimeout(timer);
  console.log(`editor tests: extension host exited with ${code}`);
  await browser.close().catch(() => {});
  process.exit(code);
});
await page.goto(`${base.origin}/?folder=${encodeURIComponent(path.resolve(process.env.WS_FOLDER))}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
