// What a provider response says about the call (model, tokens, finish reason, output text, error),
// read from a complete JSON body or accumulated event by event from a stream.

export interface ResponseSummary {
  /** The provider's id of this response (chatcmpl-…, resp_…): the same call seen by an instrumentation carries it too. */
  responseId: string | null;
  responseModel: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cachedTokens: number | null;
  reasoningTokens: number | null;
  finishReason: string | null;
  outputText: string | null;
  errorType: string | null;
  errorMessage: string | null;
}

export function emptySummary(): ResponseSummary {
  return {
    responseId: null,
    responseModel: null,
    inputTokens: null,
    outputTokens: null,
    cachedTokens: null,
    reasoningTokens: null,
    finishReason: null,
    outputText: null,
    errorType: null,
    errorMessage: null,
  };
}

type Json = Record<string, unknown>;

function asRecord(value: unknown): Json | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** Chat-completions and Responses usage objects both map onto input/output/cached/reasoning tokens. */
export function applyUsage(summary: ResponseSummary, usageValue: unknown): void {
  const usage = asRecord(usageValue);
  if (!usage) return;
  summary.inputTokens = num(usage.prompt_tokens) ?? num(usage.input_tokens) ?? summary.inputTokens;
  summary.outputTokens = num(usage.completion_tokens) ?? num(usage.output_tokens) ?? summary.outputTokens;
  const inputDetails = asRecord(usage.prompt_tokens_details) ?? asRecord(usage.input_tokens_details);
  const outputDetails = asRecord(usage.completion_tokens_details) ?? asRecord(usage.output_tokens_details);
  summary.cachedTokens = num(inputDetails?.cached_tokens) ?? summary.cachedTokens;
  summary.reasoningTokens = num(outputDetails?.reasoning_tokens) ?? summary.reasoningTokens;
  // Embeddings report only prompt tokens; nothing is generated.
  if (summary.outputTokens === null && num(usage.prompt_tokens) !== null && usage.completion_tokens === undefined && usage.total_tokens !== undefined) {
    summary.outputTokens = 0;
  }
}

/** Reads an OpenAI error body `{ error: { message, type, code } }`. */
export function applyError(summary: ResponseSummary, payload: unknown): boolean {
  const error = asRecord(asRecord(payload)?.error);
  if (!error) return false;
  summary.errorType = str(error.code) ?? str(error.type) ?? 'error';
  summary.errorMessage = str(error.message);
  return true;
}

/** The text a Responses API output array carries (message output_text parts, in order). */
function responsesOutputText(output: unknown): string | null {
  if (!Array.isArray(output)) return null;
  const parts: string[] = [];
  for (const item of output) {
    const content = asRecord(item)?.content;
    if (!Array.isArray(content)) continue;
    for (const part of content) {
      const record = asRecord(part);
      if (record?.type === 'output_text' && typeof record.text === 'string') parts.push(record.text);
    }
  }
  return parts.length > 0 ? parts.join('') : null;
}

function responsesFinishReason(response: Json): string | null {
  const status = str(response.status);
  if (status === 'completed') return 'stop';
  const reason = str(asRecord(response.incomplete_details)?.reason);
  return reason ?? status;
}

/** Summary of a complete (non-streamed) JSON response of the given operation. */
export function summarizeJson(operation: string, payload: unknown): ResponseSummary {
  const summary = emptySummary();
  if (applyError(summary, payload)) return summary;
  const body = asRecord(payload);
  if (!body) return summary;
  summary.responseId = str(body.id);
  summary.responseModel = str(body.model);
  applyUsage(summary, body.usage);
  if (operation === 'responses') {
    summary.outputText = responsesOutputText(body.output);
    summary.finishReason = responsesFinishReason(body);
    return summary;
  }
  const choices = Array.isArray(body.choices) ? body.choices : [];
  const first = asRecord(choices[0]);
  if (first) {
    summary.finishReason = str(first.finish_reason);
    const message = asRecord(first.message);
    if (message) {
      summary.outputText = str(message.content) ?? (message.tool_calls ? JSON.stringify(message.tool_calls) : str(message.refusal));
    } else {
      summary.outputText = str(first.text); // legacy completions
    }
  }
  return summary;
}

/** Accumulates a chat-completions (or legacy completions) stream, one `data:` payload at a time. */
export class ChatStreamSummary {
  readonly summary = emptySummary();
  private text = '';
  private sawText = false;
  private readonly toolCalls: Array<{ id?: string; name: string; arguments: string }> = [];

  /** Returns true when this chunk carried generated output (the first such chunk is the first token). */
  onChunk(chunk: Json): boolean {
    if (applyError(this.summary, chunk)) return false;
    this.summary.responseId ??= str(chunk.id);
    this.summary.responseModel = str(chunk.model) ?? this.summary.responseModel;
    if (chunk.usage) applyUsage(this.summary, chunk.usage);
    let generated = false;
    const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
    for (const choiceValue of choices) {
      const choice = asRecord(choiceValue);
      if (!choice || (choice.index !== undefined && choice.index !== 0)) continue;
      this.summary.finishReason = str(choice.finish_reason) ?? this.summary.finishReason;
      const delta = asRecord(choice.delta);
      const piece = str(delta?.content) ?? str(choice.text);
      if (piece) {
        this.text += piece;
        this.sawText = true;
        generated = true;
      }
      const toolCalls = Array.isArray(delta?.tool_calls) ? delta.tool_calls : [];
      for (const callValue of toolCalls) {
        const call = asRecord(callValue);
        if (!call) continue;
        const index = num(call.index) ?? 0;
        const fn = asRecord(call.function);
        const slot = (this.toolCalls[index] ??= { name: '', arguments: '' });
        if (typeof call.id === 'string') slot.id = call.id;
        slot.name += str(fn?.name) ?? '';
        slot.arguments += str(fn?.arguments) ?? '';
        generated = true;
      }
      if (str(delta?.refusal)) generated = true;
    }
    return generated;
  }

  finish(): ResponseSummary {
    if (this.sawText) this.summary.outputText = this.text;
    else if (this.toolCalls.length > 0) this.summary.outputText = JSON.stringify(this.toolCalls.filter(Boolean));
    return this.summary;
  }
}

/** Accumulates a Responses API stream (typed events; usage arrives in response.completed). */
export class ResponsesStreamSummary {
  readonly summary = emptySummary();
  private text = '';
  private sawText = false;

  onChunk(event: Json): boolean {
    const type = str(event.type);
    if (type === 'response.output_text.delta' && typeof event.delta === 'string') {
      this.text += event.delta;
      this.sawText = true;
      return event.delta.length > 0;
    }
    if (type === 'error') {
      this.summary.errorType = str(event.code) ?? 'error';
      this.summary.errorMessage = str(event.message);
      return false;
    }
    const response = asRecord(event.response);
    if (response) {
      this.summary.responseId ??= str(response.id);
      this.summary.responseModel = str(response.model) ?? this.summary.responseModel;
      if (response.usage) applyUsage(this.summary, response.usage);
      if (type === 'response.completed' || type === 'response.incomplete' || type === 'response.failed') {
        this.summary.finishReason = responsesFinishReason(response);
        if (!this.sawText) this.summary.outputText = responsesOutputText(response.output);
        const error = asRecord(response.error);
        if (error) {
          this.summary.errorType = str(error.code) ?? 'error';
          this.summary.errorMessage = str(error.message);
        }
      }
    }
    return false;
  }

  finish(): ResponseSummary {
    if (this.sawText) this.summary.outputText = this.text;
    return this.summary;
  }
}
