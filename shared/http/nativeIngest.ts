// The native JSON API (`POST /v1/ingest`) for applications without OpenTelemetry: runs, steps, calls and
// scores in one batch. snake_case, like the rest of Flowtune's public HTTP API.
import { z } from 'zod';

/** Epoch milliseconds, or an ISO-8601 string. */
export const timestampSchema = z.union([
  z.number().finite().nonnegative(),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
]);

const idSchema = z.string().min(1).max(200);
const statusSchema = z.enum(['ok', 'error', 'unset']);

export const nativeRunSchema = z.object({
  id: idSchema,
  name: z.string().max(500).optional(),
  started_at: timestampSchema,
  ended_at: timestampSchema.optional(),
  status: statusSchema.default('unset'),
  attributes: z.record(z.string(), z.unknown()).optional(),
});

export const nativeStepSchema = z.object({
  id: idSchema,
  run_id: idSchema,
  parent_id: idSchema.optional(),
  worker: z.string().min(1).max(200),
  kind: z.string().max(50).default('step'),
  started_at: timestampSchema,
  ended_at: timestampSchema.optional(),
  status: statusSchema.default('unset'),
  error: z.string().max(10_000).optional(),
});

const chatMessageSchema = z.looseObject({ role: z.string(), content: z.unknown() });

export const nativeCallSchema = z.object({
  id: idSchema.optional(),
  run_id: idSchema.optional(),
  step_id: idSchema.optional(),
  worker: z.string().min(1).max(200).optional(),
  provider: z.string().max(100).optional(),
  operation: z.string().max(50).default('chat'),
  model: z.string().min(1).max(200),
  response_model: z.string().max(200).optional(),
  temperature: z.number().min(0).max(10).optional(),
  max_tokens: z.number().int().positive().optional(),
  top_p: z.number().min(0).max(1).optional(),
  stream: z.boolean().optional(),
  usage: z
    .object({
      input_tokens: z.number().int().nonnegative().optional(),
      output_tokens: z.number().int().nonnegative().optional(),
      cached_tokens: z.number().int().nonnegative().optional(),
      reasoning_tokens: z.number().int().nonnegative().optional(),
    })
    .optional(),
  cost_usd: z.number().nonnegative().optional(),
  started_at: timestampSchema,
  latency_ms: z.number().nonnegative().optional(),
  ttft_ms: z.number().nonnegative().optional(),
  finish_reason: z.string().max(50).optional(),
  status: z.enum(['ok', 'error', 'cancelled']).default('ok'),
  error: z.object({ type: z.string().max(200).optional(), message: z.string().max(10_000).optional() }).optional(),
  prompt: z
    .object({ id: z.string().max(200).optional(), version: z.string().max(200).optional(), template: z.string().optional() })
    .optional(),
  source: z.object({ file: z.string().max(1000), line: z.number().int().positive().optional() }).optional(),
  input: z.union([z.string(), z.array(chatMessageSchema)]).optional(),
  output: z.string().optional(),
});

export const nativeScoreSchema = z
  .object({
    call_id: idSchema.optional(),
    run_id: idSchema.optional(),
    name: z.string().min(1).max(200).default('quality'),
    value: z.number().min(0).max(1).optional(),
    label: z.string().max(200).optional(),
    comment: z.string().max(10_000).optional(),
  })
  .refine((s) => s.call_id !== undefined || s.run_id !== undefined, { message: 'a score needs call_id or run_id' })
  .refine((s) => s.value !== undefined || s.label !== undefined || s.comment !== undefined, {
    message: 'a score needs a value, a label or a comment',
  });

export const nativeIngestSchema = z
  .object({
    runs: z.array(nativeRunSchema).max(10_000).default([]),
    steps: z.array(nativeStepSchema).max(50_000).default([]),
    calls: z.array(nativeCallSchema).max(50_000).default([]),
    scores: z.array(nativeScoreSchema).max(50_000).default([]),
  })
  .refine((b) => b.runs.length + b.steps.length + b.calls.length + b.scores.length > 0, {
    message: 'the batch is empty: send at least one run, step, call or score',
  });

export type NativeIngestRequest = z.input<typeof nativeIngestSchema>;
export type NativeIngest = z.output<typeof nativeIngestSchema>;

export interface NativeIngestResponse {
  accepted: { runs: number; steps: number; calls: number; scores: number; duplicate_calls: number };
  call_ids: string[];
}

/** `POST /v1/feedback` (DESIGN contract). */
export const feedbackSchema = z
  .object({
    call_id: idSchema,
    quality: z.number().min(0).max(1).optional(),
    rating: z.number().int().min(1).max(5).optional(),
    comment: z.string().max(10_000).optional(),
  })
  .refine((f) => f.quality !== undefined || f.rating !== undefined || f.comment !== undefined, {
    message: 'feedback needs quality, rating or comment',
  });

export type Feedback = z.output<typeof feedbackSchema>;

/** `POST /v1/runs` and `PATCH`-like completion used by `flowtune run`. */
export const runLifecycleSchema = z.object({
  id: idSchema,
  name: z.string().max(500).optional(),
  command: z.string().max(5000).optional(),
  started_at: timestampSchema,
  ended_at: timestampSchema.optional(),
  exit_code: z.number().int().optional(),
});
