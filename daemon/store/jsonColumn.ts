// JSON object columns read back from the store. Defensive: a row another version or a hand edit left
// with bad JSON reads as an empty object instead of failing every reader (editor, dashboard, cycle).
export function parseJsonObject(json: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(json);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
