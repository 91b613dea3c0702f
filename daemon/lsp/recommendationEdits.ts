// A recommendation as a text edit a human can apply: switch the model, set max_tokens, enable the
// cache, use the compressed prompt, mark steps as parallel. An optimizer's own SuggestedEdit wins;
// otherwise the edit is derived from the call sites and the worker's config entry.
import * as path from 'node:path';
import type { Recommendation } from '../../shared/domain';
import type { WorkerEntry } from './configEntries';
import { TextIndex, type TextRange } from './textPositions';
import { fileUri, type IndexedCallSite, type WorkspaceSnapshot } from './workspaceIndex';

export interface TextEdit {
  range: TextRange;
  newText: string;
}

/** Edits per document URI (the LSP WorkspaceEdit `changes` shape). */
export type EditsByUri = Record<string, TextEdit[]>;

export function editsForRecommendation(
  recommendation: Recommendation,
  workspace: WorkspaceSnapshot,
  readText: (file: string) => string | null,
): EditsByUri | null {
  const edits: EditsByUri = {};
  const add = (uri: string, edit: TextEdit) => (edits[uri] ??= []).push(edit);
  if (recommendation.edit) {
    const root = workspace.config ? path.dirname(workspace.config.file) : workspace.roots[0];
    if (!root) return null;
    const { range, newText, file } = recommendation.edit;
    add(fileUri(path.resolve(root, file)), { range, newText });
    return edits;
  }
  const worker = recommendation.worker;
  const sites = workspace.callSites.filter((site) => worker !== null && site.worker === worker);
  const entry = workspace.config?.entries.find((candidate) => candidate.name === worker) ?? null;
  const configUri = workspace.config?.uri;
  const { change } = recommendation;

  switch (change.kind) {
    case 'model': {
      if (typeof change.to !== 'string') return null;
      for (const { uri, site } of sites) if (site.model) add(uri, { range: site.model.range, newText: change.to });
      if (entry?.model && configUri) add(configUri, { range: entry.model.range, newText: change.to });
      break;
    }
    case 'max_tokens': {
      const value = Number(change.to);
      if (!Number.isInteger(value) || value <= 0) return null;
      for (const indexed of sites) {
        const edit = maxTokensAtCallSite(indexed, value);
        if (edit) add(indexed.uri, edit);
      }
      if (entry && configUri) {
        add(configUri, entry.maxTokens ? { range: entry.maxTokens.range, newText: String(value) } : insertAfterName(entry, `"max_tokens": ${value}`));
      }
      break;
    }
    case 'cache': {
      if (!entry || !configUri || entry.hasCache) return null;
      const setting = change.to && typeof change.to === 'object' ? (change.to as { ttl_seconds?: unknown }) : {};
      const ttl = Number(setting.ttl_seconds ?? change.details?.ttl_seconds ?? 3600);
      add(configUri, insertAfterName(entry, `"cache": { "enabled": true, "ttl_seconds": ${Number.isFinite(ttl) ? ttl : 3600} }`));
      break;
    }
    case 'prompt': {
      // The prompt optimizers name a stored variant in `to` and carry the text in the evidence.
      const candidates = [change.details?.text, recommendation.evidence.compressed_prompt, recommendation.evidence.prompt_text];
      const text = candidates.find((candidate): candidate is string => typeof candidate === 'string' && candidate.length > 0) ?? null;
      if (text === null || !entry?.promptFile || !workspace.config) return null;
      const file = path.resolve(path.dirname(workspace.config.file), entry.promptFile.value);
      const current = readText(file);
      if (current === null) return null;
      add(fileUri(file), { range: new TextIndex(current).fullRange(), newText: text.endsWith('\n') || !current.endsWith('\n') ? text : text + '\n' });
      break;
    }
    case 'parallelize': {
      const steps = stepList(change.details?.steps ?? change.to);
      if (!workspace.config || !configUri || steps.length < 2) return null;
      for (const candidate of workspace.config.entries) {
        if (!steps.includes(candidate.name) || !candidate.dependsOn) continue;
        const kept = candidate.dependsOn.values.filter((dependency) => !steps.includes(dependency));
        if (kept.length === candidate.dependsOn.values.length) continue;
        add(configUri, { range: candidate.dependsOn.range, newText: JSON.stringify(kept) });
      }
      break;
    }
    default:
      return null;
  }
  return Object.keys(edits).length > 0 ? edits : null;
}

/** Replace an existing max_tokens literal, or add the argument right after the model literal. */
function maxTokensAtCallSite({ site }: IndexedCallSite, value: number): TextEdit | null {
  if (site.maxTokens) return { range: site.maxTokens.range, newText: String(value) };
  if (!site.model) return null;
  const at = { line: site.model.range.end.line, character: site.model.range.end.character + 1 }; // after the closing quote
  const name = site.callee === 'responses.create' ? 'max_output_tokens' : 'max_tokens';
  return { range: { start: at, end: at }, newText: site.language === 'python' ? `, ${name}=${value}` : `, ${name}: ${value}` };
}

function insertAfterName(entry: WorkerEntry, property: string): TextEdit {
  return { range: entry.insertAfterName, newText: `, ${property}` };
}

function stepList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
