#!/usr/bin/env node
// Refreshes daemon/pricing/prices.snapshot.json from LiteLLM's model_prices_and_context_window.json
// (MIT, Copyright (c) 2023 Berri AI; see THIRD_PARTY_NOTICES.md). Run by a developer, never at
// runtime or in CI: the daemon stays offline and ships the snapshot.
//
//   node scripts/update-prices.mjs                        # LiteLLM main branch on GitHub
//   node scripts/update-prices.mjs --commit <sha>         # a pinned LiteLLM commit
//   node scripts/update-prices.mjs <url-or-local-file>    # any copy of the JSON
//   options: --out <path> (default daemon/pricing/prices.snapshot.json)
//            --fetched-at YYYY-MM-DD (default today, UTC)
//            --min-models N (default 50: fewer means the input was not the LiteLLM file)
//
// The snapshot keeps only what cost computation needs, for the providers Flowtune users call most.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = 'BerriAI/litellm';
const FILE = 'model_prices_and_context_window.json';
const LICENSE = 'MIT, Copyright (c) 2023 Berri AI';
const DEFAULT_OUT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'daemon', 'pricing', 'prices.snapshot.json');

export const KEPT_MODES = new Set(['chat', 'completion', 'embedding', 'responses']);

const KEPT_FIELDS = [
  'input_cost_per_token',
  'output_cost_per_token',
  'cache_read_input_token_cost',
  'cache_creation_input_token_cost',
  'output_cost_per_reasoning_token',
  'max_input_tokens',
  'max_output_tokens',
  'litellm_provider',
  'mode',
];

// Long-context rates such as input_cost_per_token_above_200k_tokens. Variants with a further
// suffix (_priority, _flex, _above_1hr cache writes) are service tiers Flowtune cannot observe.
export const TIER_FIELD = /^(input_cost_per_token|output_cost_per_token|cache_read_input_token_cost|cache_creation_input_token_cost)_above_(\d+)k_tokens$/;

// Providers kept in full (every entry whose mode is kept).
const FULL_PROVIDERS = new Set([
  'openai',
  'text-completion-openai',
  'anthropic',
  'gemini',
  'vertex_ai-language-models',
  'vertex_ai-anthropic_models',
  'vertex_ai-embedding-models',
  'mistral',
  'groq',
  'deepseek',
  'xai',
  'cohere',
  'cohere_chat',
]);

// Providers with hundreds of entries: keep the main models only.
const AZURE_KEY = /^azure\/(gpt-35-turbo|gpt-4-turbo|gpt-4o(-mini)?|gpt-4\.1(-mini|-nano)?|gpt-5(\.\d+)?(-mini|-nano|-chat)?|o\d(-mini)?|text-embedding-3-(small|large))(-\d{4}-\d{2}-\d{2})?$/;
const FEATURED = new Set([
  'fireworks_ai/accounts/fireworks/models/llama4-maverick-instruct-basic',
  'fireworks_ai/accounts/fireworks/models/llama4-scout-instruct-basic',
  'fireworks_ai/deepseek-v4-flash',
  'fireworks_ai/deepseek-v4-pro',
  'fireworks_ai/glm-5p1',
  'fireworks_ai/gpt-oss-120b',
  'fireworks_ai/gpt-oss-20b',
  'fireworks_ai/kimi-k2p6',
  'fireworks_ai/qwen3p7-plus',
  'fireworks_ai/nomic-ai/nomic-embed-text-v1.5',
  'together_ai/BAAI/bge-base-en-v1.5',
  'together_ai/Qwen/Qwen3-235B-A22B-Instruct-2507-tput',
  'together_ai/deepseek-ai/DeepSeek-R1',
  'together_ai/deepseek-ai/DeepSeek-V3',
  'together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo',
  'together_ai/meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8',
  'together_ai/meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo',
  'together_ai/moonshotai/Kimi-K2.5',
  'together_ai/openai/gpt-oss-120b',
]);

// Entries whose data would price calls wrongly.
const EXCLUDED = new Map([
  ['gemini/gemini-1.5-flash', 'labelled mode "embedding" with output_cost_per_token 0 at LiteLLM 00035b69'],
  ['gemini-flash-experimental', 'labelled mode "embedding" with all costs 0'],
]);

function isWanted(name, entry) {
  if (name === 'sample_spec' || EXCLUDED.has(name)) return false;
  if (!KEPT_MODES.has(entry.mode)) return false;
  if (typeof entry.input_cost_per_token !== 'number') return false;
  const provider = entry.litellm_provider;
  if (FULL_PROVIDERS.has(provider)) return true;
  if (provider === 'azure') return AZURE_KEY.test(name);
  return FEATURED.has(name);
}

function pick(entry) {
  const kept = { ...entry };
  // DeepSeek entries name their cache-read rate input_cost_per_token_cache_hit.
  if (kept.cache_read_input_token_cost === undefined && typeof entry.input_cost_per_token_cache_hit === 'number') {
    kept.cache_read_input_token_cost = entry.input_cost_per_token_cache_hit;
  }
  const out = {};
  for (const field of Object.keys(kept).sort()) {
    if (KEPT_FIELDS.includes(field) || TIER_FIELD.test(field)) out[field] = kept[field];
  }
  return out;
}

/** Filters LiteLLM's full table down to the snapshot's `models` object, keys sorted. */
export function filterModels(all) {
  const models = {};
  for (const name of Object.keys(all).sort()) {
    const entry = all[name];
    if (entry && typeof entry === 'object' && isWanted(name, entry)) models[name] = pick(entry);
  }
  return models;
}

function parseArgs(argv) {
  const args = { source: null, commit: null, out: DEFAULT_OUT, fetchedAt: new Date().toISOString().slice(0, 10), minModels: 50 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--commit') args.commit = argv[++i];
    else if (arg === '--out') args.out = path.resolve(argv[++i]);
    else if (arg === '--fetched-at') args.fetchedAt = argv[++i];
    else if (arg === '--min-models') args.minModels = Number(argv[++i]);
    else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}`);
    else args.source = arg;
  }
  if (args.commit !== null && !/^[0-9a-f]{7,40}$/i.test(args.commit)) throw new Error(`--commit needs a git sha, got ${args.commit}`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(args.fetchedAt)) throw new Error(`--fetched-at needs YYYY-MM-DD, got ${args.fetchedAt}`);
  return args;
}

async function fetchText(url, accept) {
  const response = await fetch(url, { headers: { accept, 'user-agent': 'flowtune-update-prices' } });
  if (!response.ok) throw new Error(`GET ${url} failed: HTTP ${response.status}`);
  return response.text();
}

// The commit that last touched the file on main, so the snapshot names the exact data it holds.
async function latestCommitOfFile() {
  try {
    const url = `https://api.github.com/repos/${REPO}/commits?path=${FILE}&sha=main&per_page=1`;
    const commits = JSON.parse(await fetchText(url, 'application/vnd.github+json'));
    return Array.isArray(commits) && typeof commits[0]?.sha === 'string' ? commits[0].sha : null;
  } catch {
    return null;
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  let location = args.source;
  let commit = args.commit;
  if (location === null) {
    commit ??= await latestCommitOfFile();
    location = `https://raw.githubusercontent.com/${REPO}/${commit ?? 'main'}/${FILE}`;
  }
  const isUrl = /^https?:\/\//.test(location);
  const text = isUrl ? await fetchText(location, 'application/json') : await readFile(location, 'utf8');
  const models = filterModels(JSON.parse(text));
  const count = Object.keys(models).length;
  if (count < args.minModels) throw new Error(`only ${count} models survived filtering; is ${location} the LiteLLM price file?`);
  const snapshot = {
    source: commit ? `https://github.com/${REPO}/blob/${commit}/${FILE}` : isUrl ? location : `file:${path.basename(location)}`,
    source_commit: commit ?? 'unknown',
    fetched_at: args.fetchedAt,
    license: LICENSE,
    models,
  };
  await writeFile(args.out, `${JSON.stringify(snapshot, null, 2)}\n`);
  process.stdout.write(`wrote ${count} models to ${args.out} (source ${snapshot.source_commit})\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    process.stderr.write(`update-prices: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
