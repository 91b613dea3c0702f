// Loads `flowtune.config.json`. A missing file means defaults; a corrupt one is reported clearly and
// the defaults stay in force, so a typo never stops collection.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONFIG_FILE_NAME, DATA_DIR_NAME, projectConfigSchema, type ProjectConfig } from '../shared/config';

export interface LoadedConfig {
  config: ProjectConfig;
  file: string | null;
  error: string | null;
}

export function defaultConfig(): ProjectConfig {
  return projectConfigSchema.parse({});
}

/** The config beside a `.flowtune` data dir, or inside the data dir's parent when named otherwise. */
export function configPathFor(dataDir: string): string {
  const resolved = path.resolve(dataDir);
  const root = path.basename(resolved) === DATA_DIR_NAME ? path.dirname(resolved) : resolved;
  return path.join(root, CONFIG_FILE_NAME);
}

export function loadProjectConfig(file: string): LoadedConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { config: defaultConfig(), file: null, error: null };
    return { config: defaultConfig(), file, error: `cannot read ${file}: ${(error as Error).message}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { config: defaultConfig(), file, error: `${file} is not valid JSON (${(error as Error).message}); using defaults` };
  }
  const parsed = projectConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      config: defaultConfig(),
      file,
      error: `${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}; using defaults`,
    };
  }
  return { config: parsed.data, file, error: null };
}
