// The workspace as the language server sees it: the project config and its worker entries, the prompt
// files they name, and every LLM call site in TS/JS/Python source with the worker it belongs to.
// Files on disk are scanned (cached by mtime); open editor buffers take precedence over the disk.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CONFIG_FILE_NAME } from '../../shared/config';
import { findCallSites, languageOf, type CallSite } from './callSites';
import { findWorkerEntries, type WorkerEntry } from './configEntries';
import type { SourceAttribution } from './storeFacts';

const SKIPPED_DIRS = new Set(['node_modules', '.git', '.flowtune', 'dist', 'out', 'build', '.venv', 'venv', '__pycache__', '.next', 'coverage', 'test-artifacts']);
const MAX_FILES = 5000;
const MAX_FILE_BYTES = 1_000_000;

export interface IndexedCallSite {
  uri: string;
  file: string;
  site: CallSite;
  /** The worker from the x-flowtune-worker literal, else from recorded source attributes; null when unknown. */
  worker: string | null;
}

export interface IndexedConfig {
  uri: string;
  file: string;
  text: string;
  entries: WorkerEntry[];
}

export interface WorkspaceSnapshot {
  roots: string[];
  config: IndexedConfig | null;
  callSites: IndexedCallSite[];
  /** Prompt file URI → the worker whose config entry names it. */
  promptFiles: Map<string, { worker: string; file: string }>;
  /** Attributions whose file is in the workspace but matched no scanned call site. */
  strayAttributions: Array<SourceAttribution & { uri: string }>;
}

export function fileUri(file: string): string {
  return pathToFileURL(file).toString();
}

export class WorkspaceIndex {
  private readonly sourceCache = new Map<string, { mtimeMs: number; size: number; sites: CallSite[] }>();

  constructor(
    readonly roots: string[],
    /** Text of a file open in the editor, by URI (unsaved changes win over the disk). */
    private readonly openText: (uri: string) => string | undefined,
  ) {}

  snapshot(attributions: SourceAttribution[]): WorkspaceSnapshot {
    const config = this.readConfig();
    const callSites: IndexedCallSite[] = [];
    for (const file of this.sourceFiles()) {
      const uri = fileUri(file);
      for (const site of this.sitesOf(file, uri)) callSites.push({ uri, file, site, worker: site.worker?.value ?? null });
    }
    const stray: WorkspaceSnapshot['strayAttributions'] = [];
    for (const attribution of attributions) {
      const file = this.resolveAttributedFile(attribution.file);
      if (!file) continue;
      const line0 = attribution.line === null ? null : attribution.line - 1;
      const site = callSites.find(
        (candidate) => candidate.file === file && (line0 === null || (line0 >= candidate.site.range.start.line && line0 <= candidate.site.range.end.line)),
      );
      if (site && site.worker === null) site.worker = attribution.worker;
      else if (!site) stray.push({ ...attribution, uri: fileUri(file) });
    }
    const promptFiles = new Map<string, { worker: string; file: string }>();
    if (config) {
      for (const entry of config.entries) {
        if (!entry.promptFile) continue;
        const file = path.resolve(path.dirname(config.file), entry.promptFile.value);
        promptFiles.set(fileUri(file), { worker: entry.name, file });
      }
    }
    return { roots: this.roots, config, callSites, promptFiles, strayAttributions: stray };
  }

  /** Text of a workspace file: the open buffer if any, else the disk; null when unreadable. */
  readText(file: string): string | null {
    const open = this.openText(fileUri(file));
    if (open !== undefined) return open;
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      return null;
    }
  }

  private readConfig(): IndexedConfig | null {
    for (const root of this.roots) {
      const file = path.join(root, CONFIG_FILE_NAME);
      const text = this.readText(file);
      if (text !== null) return { uri: fileUri(file), file, text, entries: findWorkerEntries(text) };
    }
    return null;
  }

  private sitesOf(file: string, uri: string): CallSite[] {
    const language = languageOf(file);
    if (!language) return [];
    const open = this.openText(uri);
    if (open !== undefined) return findCallSites(open, language);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      return [];
    }
    if (stat.size > MAX_FILE_BYTES) return [];
    const cached = this.sourceCache.get(file);
    if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) return cached.sites;
    const text = this.readText(file) ?? '';
    const sites = findCallSites(text, language);
    this.sourceCache.set(file, { mtimeMs: stat.mtimeMs, size: stat.size, sites });
    return sites;
  }

  private sourceFiles(): string[] {
    const files: string[] = [];
    const walk = (dir: string) => {
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries) {
        if (files.length >= MAX_FILES) return;
        if (entry.isDirectory()) {
          if (!SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith('.')) walk(path.join(dir, entry.name));
        } else if (entry.isFile() && languageOf(entry.name) && !entry.name.endsWith('.d.ts')) {
          files.push(path.join(dir, entry.name));
        }
      }
    };
    for (const root of this.roots) walk(root);
    return files;
  }

  /** A recorded source path (absolute, relative to a root, or a suffix of a workspace path) as a workspace file. */
  private resolveAttributedFile(recorded: string): string | null {
    const normalised = recorded.replace(/^file:\/\//, '');
    if (path.isAbsolute(normalised)) return this.roots.some((root) => normalised.startsWith(root + path.sep)) ? normalised : null;
    for (const root of this.roots) {
      const candidate = path.resolve(root, normalised);
      if (fs.existsSync(candidate)) return candidate;
    }
    return null;
  }
}
