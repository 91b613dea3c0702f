// Every message between the dashboard webview and its extension host, as zod discriminated unions
// on `type`. Both sides parse what they receive with these schemas and switch exhaustively on it.
// Namespace import (not `{ z }`) so the webview bundle tree-shakes zod to what these schemas use.
import * as z from 'zod';
import { dashboardSchema } from './http/dashboard';

const recommendationId = z.string().min(1).max(200);
const windowHours = z.number().int().positive().max(24 * 365);

/** Webview → host. */
export const webviewToHostMessageSchema = z.discriminatedUnion('type', [
  /** The webview has loaded and wants the dashboard (first paint). */
  z.object({ type: z.literal('ready'), windowHours: windowHours.optional() }),
  /** The user asked for fresh data, optionally for another window. */
  z.object({ type: z.literal('refresh'), windowHours: windowHours.optional() }),
  /** Apply (accept) a recommendation: POST /v1/recommendations/:id/accept. */
  z.object({ type: z.literal('applyRecommendation'), id: recommendationId }),
  /** Dismiss a recommendation: POST /v1/recommendations/:id/dismiss. */
  z.object({ type: z.literal('dismissRecommendation'), id: recommendationId }),
  /** From the compact sidebar view: open the full dashboard panel. */
  z.object({ type: z.literal('openFullDashboard') }),
]);

/** Host → webview. */
export const hostToWebviewMessageSchema = z.discriminatedUnion('type', [
  /** A fresh dashboard payload (GET /v1/dashboard). */
  z.object({ type: z.literal('dashboard'), data: dashboardSchema }),
  /** The host is fetching (the view keeps showing the last data meanwhile). */
  z.object({ type: z.literal('loading') }),
  /** The daemon could not be reached or answered an error. */
  z.object({ type: z.literal('error'), message: z.string() }),
  /** The outcome of an Apply or Dismiss. */
  z.object({
    type: z.literal('recommendationResult'),
    id: recommendationId,
    action: z.enum(['apply', 'dismiss']),
    ok: z.boolean(),
    /** The recommendation's state afterwards, when the daemon answered one. */
    state: z.string().nullable(),
    message: z.string(),
  }),
]);

export type WebviewToHostMessage = z.infer<typeof webviewToHostMessageSchema>;
export type HostToWebviewMessage = z.infer<typeof hostToWebviewMessageSchema>;

/** Compile-time exhaustiveness for the switches over these unions. */
export function assertNever(value: never): never {
  throw new Error(`unhandled message: ${JSON.stringify(value)}`);
}
