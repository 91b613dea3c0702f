// Turning the model name a call reports into the names a price table may know it by. Clients send
// `openai/gpt-4o`, `GPT-4o`, dated snapshots such as `gpt-4o-mini-2024-07-18`, Vertex-style
// `claude-opus-4-5@20251101`, or Azure deployment names such as `gpt-35-turbo`; the table holds a
// base entry for most of them.

// Version suffixes that name a snapshot of a model whose base entry carries the same price.
const VERSION_SUFFIXES: readonly RegExp[] = [
  /-\d{4}-\d{2}-\d{2}$/, // gpt-4o-mini-2024-07-18
  /[-@]\d{8}$/, // claude-sonnet-4-5-20250929, claude-opus-4-5@20251101
  /-latest$/, // claude-3-7-sonnet-latest
  /-\d{3}$/, // gemini-2.0-flash-001
  /-\d{4}$/, // gpt-4-0613, mistral-large-2411
];

/** Lower-cases and trims; Azure's `gpt-35` spelling becomes OpenAI's `gpt-3.5`. */
export function normalizeModelName(name: string): string {
  return name.trim().toLowerCase().replace(/(^|[/_-])gpt-?35(?=-|$)/g, '$1gpt-3.5');
}

/** The name without one, two, ... leading `provider/` segments: `openrouter/openai/gpt-4o` → `openai/gpt-4o` → `gpt-4o`. */
export function withoutPrefixes(name: string): string[] {
  const out: string[] = [];
  let rest = name;
  for (let slash = rest.indexOf('/'); slash >= 0 && slash < rest.length - 1; slash = rest.indexOf('/')) {
    rest = rest.slice(slash + 1);
    out.push(rest);
  }
  return out;
}

/** The name with version suffixes removed one at a time, most specific first (not including the name itself). */
export function withoutVersionSuffixes(name: string): string[] {
  const out: string[] = [];
  let current = name;
  for (let changed = true; changed; ) {
    changed = false;
    for (const suffix of VERSION_SUFFIXES) {
      const stripped = current.replace(suffix, '');
      if (stripped !== current && stripped.length > 0 && !stripped.endsWith('/')) {
        out.push(stripped);
        current = stripped;
        changed = true;
        break;
      }
    }
  }
  return out;
}

/**
 * Ordered, de-duplicated lookup keys (all normalized): the name, its provider-less forms, then
 * each of those without version suffixes. Exact forms come first so a dated entry that has its
 * own price (gpt-4o-2024-05-13 is dearer than gpt-4o) wins over the base model.
 */
export function candidateKeys(name: string): string[] {
  const normalized = normalizeModelName(name);
  if (normalized.length === 0) return [];
  const exact = [normalized, ...withoutPrefixes(normalized)];
  const keys = [...exact, ...exact.flatMap(withoutVersionSuffixes)];
  return [...new Set(keys)];
}

const TOKEN_CHAR = /[a-z0-9.]/;

/**
 * Whether `known` occurs in `name` between separators, e.g. `gpt-4o-mini` in `prod-gpt-4o-mini-eu`
 * but not `gpt-4` in `gpt-4.1`. `gpt-4o` also occurs in `gpt-4o-mini`, so callers try longer names first.
 */
export function containsModelToken(name: string, known: string): boolean {
  for (let at = name.indexOf(known); at >= 0; at = name.indexOf(known, at + 1)) {
    const before = at === 0 ? '' : name.charAt(at - 1);
    const after = name.charAt(at + known.length);
    if ((before === '' || !TOKEN_CHAR.test(before)) && (after === '' || !TOKEN_CHAR.test(after))) return true;
  }
  return false;
}
