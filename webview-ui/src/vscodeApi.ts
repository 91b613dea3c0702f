// The one place that talks to VS Code: acquireVsCodeApi() is called once (VS Code allows only one
// call per webview); outgoing messages are typed, incoming ones are parsed with the shared union.
import { hostToWebviewMessageSchema, type HostToWebviewMessage, type WebviewToHostMessage } from '../../shared/webviewMessages';

/** What survives the webview being hidden and shown again. */
export interface PersistedState {
  windowHours?: number;
  worker?: string;
}

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const vscode: VsCodeApi = acquireVsCodeApi();

export function postToHost(message: WebviewToHostMessage): void {
  vscode.postMessage(message);
}

export function loadState(): PersistedState {
  const state = vscode.getState();
  return state !== null && typeof state === 'object' ? (state as PersistedState) : {};
}

export function saveState(state: PersistedState): void {
  vscode.setState(state);
}

/** Calls `handler` with every valid message from the host; anything else is dropped (and logged). */
export function onHostMessage(handler: (message: HostToWebviewMessage) => void): () => void {
  const listener = (event: MessageEvent) => {
    const parsed = hostToWebviewMessageSchema.safeParse(event.data);
    if (!parsed.success) {
      console.warn('flowtune dashboard: ignored an invalid message from the host', parsed.error.issues.slice(0, 3));
      return;
    }
    handler(parsed.data);
  };
  window.addEventListener('message', listener);
  return () => window.removeEventListener('message', listener);
}
