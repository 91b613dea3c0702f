// The one call to the analysis model: chat completions with structured output from the zod schema
// (the openai client's zod helper), the answer validated by the same schema. Every way it can fail —
// timeout, upstream error, refusal, truncated or invalid JSON, a schema mismatch — becomes an
// HttpError in the OpenAI error shape with a fitting status. The call itself is reported either way.
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import { modelInsightsSchema, type ModelInsights } from '../../shared/http/insights';
import { HttpError } from '../server/httpError';
import type { InsightsSettings } from './insightsSettings';

export interface AnalysisCallRecord {
  startedAt: number;
  latencyMs: number;
  requestModel: string;
  responseModel: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  finishReason: string | null;
  status: 'ok' | 'error';
  httpStatus: number | null;
  errorType: string | null;
  errorMessage: string | null;
  inputText: string;
  outputText: string | null;
}

export type Messages = Array<{ role: 'system' | 'user'; content: string }>;

export type AnalysisCaller = (settings: InsightsSettings, messages: Messages, record: (call: AnalysisCallRecord) => void) => Promise<ModelInsights>;

const RESPONSE_FORMAT_NAME = 'worker_performance_insights';

function clip(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** The analysis model's answer, validated; throws an HttpError for every way it can fail. */
export function parseInsights(content: string | null | undefined, refusal: string | null | undefined, finishReason: string | null | undefined): ModelInsights {
  if (refusal) throw new HttpError(422, 'insights_refusal', `the analysis model refused: ${clip(refusal)}`);
  if (finishReason === 'content_filter') throw new HttpError(422, 'insights_refusal', 'the analysis model stopped on its content filter');
  if (finishReason === 'length') throw new HttpError(502, 'insights_invalid_output', 'the analysis model ran out of tokens before finishing its JSON answer');
  if (!content) throw new HttpError(502, 'insights_invalid_output', 'the analysis model answered nothing');
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch {
    throw new HttpError(502, 'insights_invalid_output', `the analysis model's answer is not valid JSON: ${clip(content, 120)}`);
  }
  const parsed = modelInsightsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new HttpError(502, 'insights_invalid_output', `the analysis model's answer does not match the schema at ${issue.path.join('.') || 'the top'}: ${issue.message}`);
  }
  return parsed.data;
}

/** Maps a failed request to the error the endpoint answers. */
export function upstreamError(error: unknown, settings: InsightsSettings): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof APIConnectionTimeoutError) return new HttpError(504, 'insights_timeout', `the analysis model did not answer within ${settings.timeoutMs} ms`);
  if (error instanceof APIConnectionError) return new HttpError(502, 'insights_upstream_error', `cannot reach the analysis model at ${settings.baseURL}: ${clip(error.message)}`);
  if (error instanceof APIError && typeof error.status === 'number') {
    if (error.status === 429) return new HttpError(429, 'insights_rate_limited', `the analysis model is rate limited: ${clip(error.message)}`);
    return new HttpError(502, 'insights_upstream_error', `the analysis model answered ${error.status}: ${clip(error.message)}`);
  }
  return new HttpError(502, 'insights_upstream_error', `the analysis call failed: ${clip((error as Error).message ?? String(error))}`);
}

export const callAnalysisModel: AnalysisCaller = async (settings, messages, record) => {
  const client = new OpenAI({ baseURL: settings.baseURL, apiKey: settings.apiKey, timeout: settings.timeoutMs, maxRetries: 1 });
  const startedAt = Date.now();
  const inputText = JSON.stringify(messages);
  let completion: OpenAI.Chat.Completions.ChatCompletion;
  try {
    completion = await client.chat.completions.create({
      model: settings.model,
      temperature: 0,
      messages,
      response_format: zodResponseFormat(modelInsightsSchema, RESPONSE_FORMAT_NAME),
    });
  } catch (error) {
    const failure = upstreamError(error, settings);
    record({
      startedAt,
      latencyMs: Date.now() - startedAt,
      requestModel: settings.model,
      responseModel: null,
      inputTokens: null,
      outputTokens: null,
      finishReason: null,
      status: 'error',
      httpStatus: error instanceof APIError && typeof error.status === 'number' ? error.status : null,
      errorType: failure.type,
      errorMessage: failure.message,
      inputText,
      outputText: null,
    });
    throw failure;
  }
  const choice = completion.choices[0];
  record({
    startedAt,
    latencyMs: Date.now() - startedAt,
    requestModel: settings.model,
    responseModel: completion.model ?? null,
    inputTokens: completion.usage?.prompt_tokens ?? null,
    outputTokens: completion.usage?.completion_tokens ?? null,
    finishReason: choice?.finish_reason ?? null,
    status: 'ok',
    httpStatus: 200,
    errorType: null,
    errorMessage: null,
    inputText,
    outputText: choice?.message.content ?? choice?.message.refusal ?? null,
  });
  return parseInsights(choice?.message.content, choice?.message.refusal, choice?.finish_reason);
};
