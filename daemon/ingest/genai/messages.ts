// Prompt and output content from whichever convention carried it, as one shape:
// a list of {role, content} messages (or raw text when the producer sent only text).
import type { AttrValue, Attributes } from '../otlp/normalizedTypes';
import { KEYS, jsonAttr, str } from './attributeKeys';

export interface ChatMessage {
  role: string;
  content: string;
}

export interface CallInput {
  /** The messages when the producer sent them in any structured form. */
  messages?: ChatMessage[];
  /** Raw prompt text when no message structure exists. */
  text?: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Text of a content value: a string, OTel parts [{type:'text', content}], or OpenAI parts [{type:'text', text}]. */
function contentText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (!Array.isArray(v)) return v === undefined || v === null ? '' : JSON.stringify(v);
  let text = '';
  let other = false;
  for (const part of v) {
    if (typeof part === 'string') text += (text ? '\n' : '') + part;
    else if (isRecord(part) && (typeof part.content === 'string' || typeof part.text === 'string')) {
      text += (text ? '\n' : '') + (typeof part.content === 'string' ? part.content : (part.text as string));
    } else other = true;
  }
  // Tool calls and other non-text parts: keep them readable rather than drop them.
  return text === '' && other ? JSON.stringify(v) : text;
}

function messagesFrom(v: unknown): ChatMessage[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: ChatMessage[] = [];
  for (const m of v) {
    if (!isRecord(m)) continue;
    const role = typeof m.role === 'string' ? m.role : 'user';
    const content = m.parts !== undefined ? contentText(m.parts) : contentText(m.content);
    out.push({ role, content });
  }
  return out;
}

interface IndexedMessage {
  role?: string;
  content?: string;
  parts?: string[];
  finishReason?: string;
}

/**
 * Indexed flattened messages: `llm.input_messages.N.message.role|content`
 * (and `…message.contents.M.message_content.text`), or `gen_ai.prompt.N.role|content`.
 */
function indexedMessages(attrs: Attributes, prefix: string, inner: string): ChatMessage[] | undefined {
  let found: IndexedMessage[] | undefined;
  for (const key in attrs) {
    if (!key.startsWith(prefix)) continue;
    const dot = key.indexOf('.', prefix.length);
    if (dot < 0) continue;
    const index = Number(key.slice(prefix.length, dot));
    if (!Number.isInteger(index) || index < 0 || index > 10000) continue;
    const rest = key.slice(dot + 1);
    const field = inner !== '' && rest.startsWith(inner) ? rest.slice(inner.length) : rest;
    const value = attrs[key];
    found ??= [];
    const m = (found[index] ??= {});
    if (field === 'role' && typeof value === 'string') m.role = value;
    else if (field === 'content') m.content = valueText(value);
    else if (field.startsWith('contents.') && field.endsWith('.text')) (m.parts ??= []).push(valueText(value));
    else if (field === 'finish_reason' && typeof value === 'string') m.finishReason = value;
  }
  if (found === undefined) return undefined;
  const out: ChatMessage[] = [];
  for (const m of found) {
    if (m === undefined) continue;
    out.push({ role: m.role ?? 'user', content: m.content ?? (m.parts ? m.parts.join('\n') : '') });
  }
  return out;
}

function valueText(v: AttrValue | undefined): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v);
}

/** A request body in input.value (OpenAI-style JSON) or plain text. */
function inputFromValue(v: string): CallInput {
  const parsed = jsonAttr(v);
  if (isRecord(parsed)) {
    const messages = messagesFrom(parsed.messages) ?? messagesFrom(parsed.input);
    if (messages !== undefined && messages.length > 0) return { messages };
    if (typeof parsed.prompt === 'string') return { text: parsed.prompt };
    if (typeof parsed.input === 'string') return { text: parsed.input };
    if (Array.isArray(parsed.input)) return { text: contentText(parsed.input) };
  }
  return { text: v };
}

export function extractInput(attrs: Attributes): CallInput {
  const otel = messagesFrom(jsonAttr(attrs[KEYS.inputMessages]));
  if (otel !== undefined) {
    const system = attrs[KEYS.systemInstructions];
    if (system !== undefined && system !== null) {
      const parsed = jsonAttr(system);
      otel.unshift({ role: 'system', content: contentText(parsed ?? system) });
    }
    return { messages: otel };
  }
  const oi = indexedMessages(attrs, 'llm.input_messages.', 'message.');
  if (oi !== undefined) return { messages: oi };
  const legacy = indexedMessages(attrs, 'gen_ai.prompt.', '');
  if (legacy !== undefined) return { messages: legacy };
  const inputValue = str(attrs, KEYS.inputValue);
  if (inputValue !== undefined) return inputFromValue(inputValue);
  const legacyPrompt = str(attrs, KEYS.legacyPrompt);
  if (legacyPrompt !== undefined) {
    const messages = messagesFrom(jsonAttr(legacyPrompt));
    return messages !== undefined ? { messages } : { text: legacyPrompt };
  }
  return {};
}

/** A response body in output.value: chat choices, completions text, Responses API output_text, or plain text. */
function outputFromValue(v: string): string {
  const parsed = jsonAttr(v);
  if (!isRecord(parsed)) return v;
  if (Array.isArray(parsed.choices)) {
    const texts: string[] = [];
    for (const c of parsed.choices) {
      if (!isRecord(c)) continue;
      if (isRecord(c.message)) texts.push(contentText(c.message.content ?? c.message.tool_calls));
      else if (typeof c.text === 'string') texts.push(c.text);
    }
    return texts.join('\n');
  }
  if (typeof parsed.output_text === 'string') return parsed.output_text;
  return v;
}

function joinAssistant(messages: ChatMessage[]): string {
  return messages.map((m) => m.content).join('\n');
}

/** The assistant's content, as text. */
export function extractOutput(attrs: Attributes): string | undefined {
  const otel = messagesFrom(jsonAttr(attrs[KEYS.outputMessages]));
  if (otel !== undefined) return joinAssistant(otel);
  const oi = indexedMessages(attrs, 'llm.output_messages.', 'message.');
  if (oi !== undefined) return joinAssistant(oi);
  const legacy = indexedMessages(attrs, 'gen_ai.completion.', '');
  if (legacy !== undefined) return joinAssistant(legacy);
  const outputValue = str(attrs, KEYS.outputValue);
  if (outputValue !== undefined) return outputFromValue(outputValue);
  const legacyCompletion = str(attrs, KEYS.legacyCompletion);
  if (legacyCompletion !== undefined) {
    const messages = messagesFrom(jsonAttr(legacyCompletion));
    return messages !== undefined ? joinAssistant(messages) : legacyCompletion;
  }
  return undefined;
}

/** The text a prompt fingerprint is taken from: the template, else the system message, else the first message. */
export function fingerprintSource(attrs: Attributes, input: CallInput): string | undefined {
  const template = str(attrs, KEYS.promptTemplate);
  if (template !== undefined) return template;
  if (input.messages !== undefined && input.messages.length > 0) {
    const system = input.messages.find((m) => m.role === 'system' || m.role === 'developer');
    return (system ?? input.messages[0]).content;
  }
  return input.text;
}

/** What is stored as a call's input: the messages as a JSON array of {role, content}, or the raw text. */
export function inputText(input: CallInput): string | undefined {
  if (input.messages !== undefined) return JSON.stringify(input.messages);
  return input.text;
}
