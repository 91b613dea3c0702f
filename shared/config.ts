// The project config `flowtune.config.json` at the workspace root, as both the daemon and the editor read it.
// Unknown keys are kept (forward compatible); every field has a default so an empty file is valid.
import { z } from 'zod';

export const contentModeSchema = z.enum(['full', 'hash', 'none']);

export const evaluatorSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('is-json') }),
  z.object({ type: z.literal('contains'), value: z.string() }),
  z.object({ type: z.literal('icontains'), value: z.string() }),
  z.object({ type: z.literal('regex'), value: z.string() }),
  z.object({ type: z.literal('length'), min: z.number().int().nonnegative().optional(), max: z.number().int().positive().optional() }),
  z.object({ type: z.literal('llm-rubric'), value: z.string(), model: z.string().optional() }),
]);

export const workerConfigSchema = z.object({
  name: z.string().min(1),
  model: z.string().optional(),
  temperature: z.number().min(0).max(2).optional(),
  max_tokens: z.number().int().positive().optional(),
  prompt_file: z.string().optional(),
  evaluators: z.array(evaluatorSchema).default([]),
  depends_on: z.array(z.string()).default([]),
  upstream: z.string().url().optional(),
});

export const projectConfigSchema = z.looseObject({
  workers: z.array(workerConfigSchema).default([]),
  budgets: z
    .object({ daily_usd: z.number().nonnegative().optional(), replay_usd: z.number().nonnegative().default(1) })
    .default({ replay_usd: 1 }),
  policy: z
    .object({
      /**
       * Autonomy: proven live, reversible changes (proxy overrides) apply by themselves at the
       * confidence threshold, are watched and rolled back on a regression. false: everything waits for a human.
       */
      auto_apply: z.boolean().default(true),
      confidence_threshold: z.number().min(0.5).max(0.999).default(0.9),
      quality_margin: z.number().min(0).max(1).default(0.02),
    })
    .default({ auto_apply: true, confidence_threshold: 0.9, quality_margin: 0.02 }),
  storage: z
    .object({
      /** How prompt and output text is stored: full (default, needed for replays), hash, or none. */
      content: contentModeSchema.default('full'),
      /** Raw runs, steps and calls older than this are deleted; hourly rollups stay. */
      retention_days: z.number().positive().default(30),
      /** Hourly rollups older than this are deleted. */
      rollup_retention_days: z.number().positive().default(400),
    })
    .default({ content: 'full', retention_days: 30, rollup_retention_days: 400 }),
  upstream: z.string().url().optional(),
  /** The model that scores llm-rubric evaluators and rewrites prompts (OpenAI-compatible). */
  judge: z
    .object({
      model: z.string().min(1),
      /** Base URL with /v1; the daemon's upstream when absent. */
      base_url: z.string().url().optional(),
    })
    .optional(),
  /**
   * AI insights: a model reads a worker's measured aggregates and suggests changes, which are tested
   * like any optimizer's proposal before anything ships. Off until a model is set here or in `judge`.
   */
  insights: z
    .object({
      enabled: z.boolean().default(true),
      /** The analysis model; the judge's model when absent. */
      model: z.string().min(1).optional(),
      /** Base URL with /v1 (any OpenAI-compatible server); the judge's, else the daemon's upstream, when absent. */
      base_url: z.string().url().optional(),
      /** Also send the worker's latest system prompt; by default only aggregates leave the machine. */
      include_content: z.boolean().default(false),
      /** How long one analysis call may take before it is abandoned. */
      timeout_ms: z.number().int().min(100).max(600_000).default(60_000),
    })
    .optional(),
  optimize: z
    .object({
      /** Run an optimization cycle every N minutes; 0 (default) leaves it to POST /v1/optimize. */
      schedule_minutes: z.number().nonnegative().default(0),
      /** Narrows the models a worker may be moved to (by default every model the upstream lists at /v1/models, priced from its listing or the price table; when it lists none, these and the models seen in the store). */
      candidate_models: z.array(z.string().min(1)).default([]),
      /** How changes are tested: replay recorded inputs, split live traffic, or pick per worker. */
      experiment: z.enum(['auto', 'replay', 'split']).default('auto'),
      /** Recorded inputs re-run per replay experiment at most (each under both arms). */
      replay_max_pairs: z.number().int().min(8).max(2000).default(120),
      /** Calls after an applied change before it is judged against its expectation. */
      watch_min_calls: z.number().int().min(5).default(30),
    })
    .default({ schedule_minutes: 0, candidate_models: [], experiment: 'auto', replay_max_pairs: 120, watch_min_calls: 30 }),
  watch: z
    .object({
      /** Seconds between anomaly evaluations (0 turns the loop off; POST /v1/anomalies/evaluate still works). */
      interval_seconds: z.number().min(0).default(30),
    })
    .default({ interval_seconds: 30 }),
  /** A JSON file of model prices that overrides the shipped snapshot. */
  prices_file: z.string().optional(),
});

export type ProjectConfig = z.infer<typeof projectConfigSchema>;
export type WorkerConfig = z.infer<typeof workerConfigSchema>;
export type Evaluator = z.infer<typeof evaluatorSchema>;

export const CONFIG_FILE_NAME = 'flowtune.config.json';
export const DATA_DIR_NAME = '.flowtune';
