// The dashboard inside the real VS Code: "Flowtune: Show Dashboard" opens the webview panel (the
// dashboard bundle, CSP and data flow are covered in Chromium by test/webview), and the sidebar
// view container opens. Needs: this file in esbuild's e2e entryPoints and `mocha.addFile` in index.ts.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function dashboardTab(): vscode.Tab | undefined {
  return vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .find((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith('flowtune.dashboard'));
}

describe('Flowtune dashboard', () => {
  it('opens the dashboard panel from the command, once (a second run focuses it)', async () => {
    const outcome = await vscode.commands.executeCommand<string | undefined>('flowtune.showDashboard');
    assert.equal(outcome, 'shown');
    const deadline = Date.now() + 20_000;
    while (!dashboardTab() && Date.now() < deadline) await sleep(200);
    const tab = dashboardTab();
    assert.ok(tab, 'a Flowtune dashboard webview tab is open');
    assert.equal(tab.label, 'Flowtune Dashboard');
    await vscode.commands.executeCommand('flowtune.showDashboard');
    const tabs = vscode.window.tabGroups.all.flatMap((group) => group.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('flowtune.dashboard'));
    assert.equal(tabs.length, 1, 'the panel is reused');
  });

  it('opens the Flowtune view container with the sidebar dashboard', async () => {
    await vscode.commands.executeCommand('workbench.view.extension.flowtune');
    await vscode.commands.executeCommand('flowtune.dashboardView.focus');
    const extension = vscode.extensions.all.find((e) => e.packageJSON?.name === 'flowtune');
    const views = (extension?.packageJSON as { contributes?: { views?: Record<string, Array<{ id: string }>> } } | undefined)?.contributes?.views ?? {};
    assert.ok(Object.values(views).flat().some((v) => v.id === 'flowtune.dashboardView'), 'the sidebar dashboard view is contributed');
  });
});
