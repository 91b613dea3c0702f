// Change notifications inside one daemon: the detector, the optimizer and ingest emit; the language
// server (and later the dashboard) listens and pushes updates to editors. One emitter per daemon.
import { EventEmitter } from 'node:events';
import type { DaemonContext } from './daemonContext';

export interface DaemonEventMap {
  /** Anomalies were opened, updated or resolved. */
  anomaliesChanged: { anomalyIds?: string[] };
  /** Recommendations were created or changed state. */
  recommendationsChanged: { recommendationIds?: string[] };
  /** A batch of calls reached the store (after its transaction committed). */
  callsIngested: { calls: number; workers?: string[] };
}

export type DaemonEventName = keyof DaemonEventMap;

export interface DaemonEvents {
  emit<E extends DaemonEventName>(event: E, payload: DaemonEventMap[E]): void;
  on<E extends DaemonEventName>(event: E, listener: (payload: DaemonEventMap[E]) => void): () => void;
}

class TypedDaemonEvents implements DaemonEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Every editor window adds listeners; the default of 10 would warn with a handful of windows.
    this.emitter.setMaxListeners(0);
  }

  emit<E extends DaemonEventName>(event: E, payload: DaemonEventMap[E]): void {
    this.emitter.emit(event, payload);
  }

  on<E extends DaemonEventName>(event: E, listener: (payload: DaemonEventMap[E]) => void): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }
}

const eventsByDaemon = new WeakMap<DaemonContext, DaemonEvents>();

/** The event bus of one running daemon (created on first use). */
export function daemonEvents(ctx: DaemonContext): DaemonEvents {
  let events = eventsByDaemon.get(ctx);
  if (!events) {
    events = new TypedDaemonEvents();
    eventsByDaemon.set(ctx, events);
  }
  return events;
}
