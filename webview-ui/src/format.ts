// Number and time formatting for the dashboard (text only: Preact escapes whatever it renders).

export const DASH = '—';

export function usd(value: number | null | undefined): string {
  if (value === null || value === undefined) return DASH;
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 1 ? 2 : abs >= 0.01 ? 3 : abs === 0 ? 2 : 5;
  return `$${value.toFixed(digits)}`;
}

export function ms(value: number | null | undefined): string {
  if (value === null || value === undefined) return DASH;
  return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
}

export function pct(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined) return DASH;
  return `${(value * 100).toFixed(digits)}%`;
}

export function count(value: number | null | undefined): string {
  if (value === null || value === undefined) return DASH;
  return Math.round(value).toLocaleString('en');
}

export function score(value: number | null | undefined): string {
  return value === null || value === undefined ? DASH : value.toFixed(3);
}

/** A relative change as "+12.3%" / "−4.0%". */
export function change(value: number | null | undefined): string {
  if (value === null || value === undefined) return DASH;
  const sign = value > 0 ? '+' : value < 0 ? '−' : '±';
  return `${sign}${Math.abs(value * 100).toFixed(1)}%`;
}

export function time(epochMs: number | null | undefined): string {
  if (epochMs === null || epochMs === undefined) return DASH;
  const d = new Date(epochMs);
  return `${d.toISOString().slice(0, 10)} ${d.toTimeString().slice(0, 5)}`;
}

export function windowLabel(hours: number): string {
  if (hours % 24 === 0) return hours === 24 ? '24 h' : `${hours / 24} d`;
  return `${hours} h`;
}
