// Where AI insights send their one analysis call: the `insights` config, else the judge's, with the
// key the editor handed over (held in memory only). Null means "not configured": the rules answer.
import type { ProjectConfig } from '../../shared/config';
import type { DaemonContext } from '../daemonContext';
import { getSecret } from '../secrets';

export interface InsightsSettings {
  baseURL: string;
  model: string;
  apiKey: string;
  includeContent: boolean;
  timeoutMs: number;
}

export interface SettingsSources {
  config: ProjectConfig;
  upstream: string | null;
  secret(name: 'analysisApiKey' | 'judgeApiKey'): string | undefined;
  env: NodeJS.ProcessEnv;
}

/** Local servers (Ollama, vLLM, LM Studio) take any key; the client insists on one. */
const NO_KEY = 'flowtune-no-key';
const DEFAULT_TIMEOUT_MS = 60_000;

export function resolveInsightsSettings(sources: SettingsSources): InsightsSettings | null {
  const { insights, judge } = sources.config;
  if (insights?.enabled === false) return null;
  const model = insights?.model ?? judge?.model;
  const baseURL = insights?.base_url ?? judge?.base_url ?? sources.upstream;
  if (!model || !baseURL) return null;
  return {
    baseURL,
    model,
    apiKey: sources.secret('analysisApiKey') ?? sources.secret('judgeApiKey') ?? sources.env.OPENAI_API_KEY ?? NO_KEY,
    includeContent: insights?.include_content ?? false,
    timeoutMs: insights?.timeout_ms ?? DEFAULT_TIMEOUT_MS,
  };
}

export function insightsSettingsFor(ctx: DaemonContext): InsightsSettings | null {
  return resolveInsightsSettings({ config: ctx.config, upstream: ctx.upstream, secret: (name) => getSecret(ctx, name), env: process.env });
}
