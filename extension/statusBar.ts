// The status bar item: open anomalies (count, worst severity colouring), a tooltip with the top ones,
// and a click that opens a quick pick revealing the chosen anomaly at its code or in the dashboard.
import * as vscode from 'vscode';
import type { AnomalySummary, WorkspaceStatus } from '../shared/protocol';
import type { ConnectionState } from './daemonConnection';

export const SHOW_ANOMALIES_COMMAND = 'flowtune.showAnomalies';
const TOOLTIP_ITEMS = 5;
const SEVERITY_ICON: Record<AnomalySummary['severity'], string> = { error: '$(error)', warning: '$(warning)', info: '$(info)' };

export class FlowtuneStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('flowtune.status', vscode.StatusBarAlignment.Left, 50);

  constructor() {
    this.item.name = 'Flowtune';
    this.item.command = SHOW_ANOMALIES_COMMAND;
    this.render({ kind: 'starting' }, null);
    this.item.show();
  }

  /** The text currently shown (tests read it). */
  get text(): string {
    return this.item.text;
  }

  render(state: ConnectionState, status: WorkspaceStatus | null): void {
    this.item.backgroundColor = undefined;
    if (state.kind === 'starting') {
      this.item.text = 'Flowtune $(sync~spin)';
      this.item.tooltip = 'Flowtune: connecting to the workspace daemon…';
      return;
    }
    if (state.kind === 'down') {
      this.item.text = 'Flowtune $(debug-disconnect) daemon down';
      this.item.tooltip = new vscode.MarkdownString(`**Flowtune daemon is not running**\n\n${state.reason}\n\n${state.hint}`);
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
      return;
    }
    const anomalies = status?.anomalies ?? [];
    if (anomalies.length === 0) {
      this.item.text = 'Flowtune $(pass) no anomalies';
      this.item.tooltip = `Flowtune: no open anomalies · ${status?.openRecommendations ?? 0} open recommendations · daemon on port ${state.info.port}`;
      return;
    }
    const worst = status?.worstSeverity ?? 'info';
    this.item.text = `Flowtune ${SEVERITY_ICON[worst]} ${anomalies.length} ${anomalies.length === 1 ? 'anomaly' : 'anomalies'}`;
    if (worst === 'error') this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
    else if (worst === 'warning') this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown(`**Flowtune — ${anomalies.length} open ${anomalies.length === 1 ? 'anomaly' : 'anomalies'}**\n\n`);
    for (const anomaly of anomalies.slice(0, TOOLTIP_ITEMS)) tooltip.appendMarkdown(`${SEVERITY_ICON[anomaly.severity]} ${escape(anomaly.title)}\n\n`);
    if (anomalies.length > TOOLTIP_ITEMS) tooltip.appendMarkdown(`…and ${anomalies.length - TOOLTIP_ITEMS} more\n\n`);
    tooltip.appendMarkdown('Click to reveal one.');
    this.item.tooltip = tooltip;
  }

  dispose(): void {
    this.item.dispose();
  }
}

interface AnomalyPick extends vscode.QuickPickItem {
  anomaly: AnomalySummary | null;
}

/** The quick pick behind the status bar item; reveals the pick at its code, else opens the dashboard. */
export async function pickAndRevealAnomaly(status: WorkspaceStatus | null, showDashboard: () => Promise<unknown>): Promise<void> {
  const anomalies = status?.anomalies ?? [];
  const items: AnomalyPick[] = anomalies.map((anomaly) => ({
    label: `${SEVERITY_ICON[anomaly.severity]} ${anomaly.title}`,
    description: anomaly.worker ?? undefined,
    detail: anomaly.suspectedCause ? `likely cause: ${anomaly.suspectedCause}` : anomaly.location ? 'reveal at the code' : 'open in the dashboard',
    anomaly,
  }));
  items.push({ label: '$(graph) Open the Flowtune dashboard', anomaly: null });
  const picked = await vscode.window.showQuickPick(items, {
    title: anomalies.length ? `Flowtune: ${anomalies.length} open anomalies` : 'Flowtune: no open anomalies',
    placeHolder: 'Reveal an anomaly at its cause',
  });
  if (!picked) return;
  if (!picked.anomaly?.location) {
    await showDashboard();
    return;
  }
  await revealLocation(picked.anomaly.location);
}

export async function revealLocation(location: NonNullable<AnomalySummary['location']>): Promise<void> {
  const { start, end } = location.range;
  const range = new vscode.Range(start.line, start.character, end.line, end.character);
  const editor = await vscode.window.showTextDocument(vscode.Uri.parse(location.uri), { selection: range, preview: false });
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

function escape(text: string): string {
  return text.replace(/([\\`*_{}[\]<>#|])/g, '\\$1');
}
