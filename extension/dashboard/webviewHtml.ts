// The dashboard webview's HTML: the bundle's script and stylesheet, a strict CSP with a fresh nonce,
// nothing remote. Pure (no vscode import), so the browser tests load exactly this page.
import { randomBytes } from 'node:crypto';

export type DashboardMode = 'panel' | 'sidebar';

export interface DashboardHtmlOptions {
  /** webview.cspSource: the only origin scripts, styles, fonts and images may come from. */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  mode: DashboardMode;
  /** Fresh per page load; tests may pass their own. */
  nonce?: string;
}

export function createNonce(): string {
  return randomBytes(18).toString('base64url');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    `default-src 'none'`,
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
  ].join('; ');
}

/** Escapes a value for an HTML attribute (URIs come from the editor, but nothing is trusted). */
function attr(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function dashboardHtml(options: DashboardHtmlOptions): string {
  const nonce = options.nonce ?? createNonce();
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(options.cspSource, nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Flowtune</title>
<link rel="stylesheet" nonce="${attr(nonce)}" href="${attr(options.styleUri)}">
</head>
<body data-mode="${options.mode === 'sidebar' ? 'sidebar' : 'panel'}">
<div id="root"></div>
<script nonce="${attr(nonce)}" src="${attr(options.scriptUri)}"></script>
</body>
</html>`;
}
