// Entry of the dashboard webview bundle. The host page says which view to render (panel or sidebar)
// in <body data-mode>; everything else arrives as messages.
import { render } from 'preact';
import { config as zodConfig } from 'zod';
import '@vscode/codicons/dist/codicon.css';
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { App, type DashboardMode } from './App';

// The CSP forbids eval: keep zod from probing `new Function` for its JIT.
zodConfig({ jitless: true });

const mode: DashboardMode = document.body.dataset.mode === 'sidebar' ? 'sidebar' : 'panel';
const root = document.getElementById('root');
if (root) render(<App mode={mode} />, root);
