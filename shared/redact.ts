// Secrets must never reach the store or a log. These patterns cover the API keys providers issue
// and the header/attribute names that carry them.

const SECRET_VALUE_PATTERNS: RegExp[] = [
  /\bsk-(?:proj-|ant-|or-)?[A-Za-z0-9_-]{16,}/g, // OpenAI, Anthropic, OpenRouter style keys
  /\bBearer\s+[A-Za-z0-9._~+/=-]{12,}/gi,
  /\bAIza[0-9A-Za-z_-]{30,}/g, // Google API keys
  /\bgsk_[A-Za-z0-9]{20,}/g, // Groq
  /\bxai-[A-Za-z0-9]{20,}/g,
];

const SECRET_KEY_NAME = /(authorization|api[-_]?key|secret|password|bearer|x-flowtune-token|cookie)/i;

/** Replace anything that looks like an API key in free text. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const pattern of SECRET_VALUE_PATTERNS) out = out.replace(pattern, '[REDACTED]');
  return out;
}

/** True when an attribute or header name is one that carries credentials. */
export function isSecretKeyName(name: string): boolean {
  return SECRET_KEY_NAME.test(name);
}

/** A copy of a flat attribute map without credential-bearing keys and with key-like values redacted. */
export function redactAttributes(attributes: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (isSecretKeyName(key)) continue;
    out[key] = typeof value === 'string' ? redactSecrets(value) : value;
  }
  return out;
}
