// The control API for live proxy overrides: what a worker's requests are changed into on their way
// upstream. Each change names who made it and why; each can be undone in one call.
import { z } from 'zod';

const variantName = z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, 'letters, digits, . _ : - (at most 64)');

/** Request changes shared by a whole override and by one arm of a traffic split. */
const requestChanges = {
  /** Route the worker's chat/responses requests to this model. */
  model: z.string().min(1).max(200).optional(),
  max_tokens: z.number().int().positive().max(1_000_000).optional(),
  temperature: z.number().min(0).max(2).optional(),
  /** Id of a stored prompt variant whose system prompt replaces the app's. */
  prompt_variant: variantName.optional(),
};

export const splitArmSchema = z.strictObject({
  name: variantName,
  weight: z.number().positive(),
  ...requestChanges,
});

export const trafficSplitSchema = z
  .strictObject({
    /** Changes the assignment without changing the arms (a new experiment reshuffles runs). */
    salt: z.string().max(200).default(''),
    arms: z.array(splitArmSchema).min(2).max(20),
  })
  .refine((split) => new Set(split.arms.map((arm) => arm.name)).size === split.arms.length, 'arm names must be unique');

export const cacheSettingSchema = z.strictObject({
  enabled: z.boolean(),
  ttl_seconds: z.number().int().positive().max(30 * 86_400).default(3600),
});

export const overrideSpecSchema = z.strictObject({
  ...requestChanges,
  cache: cacheSettingSchema.optional(),
  /** Send this worker's requests to another provider base URL (like OPENAI_BASE_URL, with /v1). */
  upstream: z.string().url().optional(),
  split: trafficSplitSchema.optional(),
});

export type OverrideSpec = z.infer<typeof overrideSpecSchema>;
export type TrafficSplit = z.infer<typeof trafficSplitSchema>;
export type SplitArm = z.infer<typeof splitArmSchema>;

/**
 * PUT /v1/overrides/:worker. `set` merges into the worker's current override (a null removes a
 * field); with `replace: true` it becomes the whole override.
 */
export const putOverrideRequestSchema = z.strictObject({
  set: z.strictObject({
    model: requestChanges.model.nullable(),
    max_tokens: requestChanges.max_tokens.nullable(),
    temperature: requestChanges.temperature.nullable(),
    prompt_variant: requestChanges.prompt_variant.nullable(),
    cache: cacheSettingSchema.nullable().optional(),
    upstream: z.string().url().nullable().optional(),
    split: trafficSplitSchema.nullable().optional(),
  }),
  replace: z.boolean().default(false),
  set_by: z.string().min(1).max(200),
  reason: z.string().min(1).max(2000),
});

export type PutOverrideRequest = z.infer<typeof putOverrideRequestSchema>;

/** DELETE /v1/overrides/:worker body (optional): who undoes the last change and why. */
export const revertOverrideRequestSchema = z.strictObject({
  set_by: z.string().min(1).max(200).default('api'),
  reason: z.string().min(1).max(2000).default('reverted'),
  /** Remove the whole override instead of undoing only the last change. */
  all: z.boolean().default(false),
});

export const putPromptVariantRequestSchema = z.strictObject({
  system_prompt: z.string().min(1).max(200_000),
  worker: z.string().min(1).max(200).optional(),
  description: z.string().max(2000).optional(),
  created_by: z.string().min(1).max(200).default('api'),
});

export const promptVariantIdSchema = variantName;

export interface OverrideView {
  worker: string;
  spec: OverrideSpec;
  set_by: string;
  reason: string;
  set_at: number;
}

export interface OverrideHistoryEntry {
  id: number;
  worker: string;
  action: 'set' | 'revert' | 'clear';
  before: OverrideSpec | null;
  after: OverrideSpec | null;
  set_by: string;
  reason: string;
  at: number;
  reverted_by: number | null;
}
