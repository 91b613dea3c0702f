// The JSON Schema of flowtune.config.json, generated from the zod schema the daemon validates with,
// so the editor's validation and completion never drift from what the daemon accepts.
import { z } from 'zod';
import { projectConfigSchema } from '../../shared/config';

export const CONFIG_SCHEMA_FILE = 'flowtune.config.schema.json';

export function configJsonSchema(): Record<string, unknown> {
  // `input`: what a user may write (defaults make fields optional), not what the daemon holds after parsing.
  const schema = z.toJSONSchema(projectConfigSchema, { io: 'input', unrepresentable: 'any', target: 'draft-7' }) as Record<string, unknown>;
  return { ...schema, title: 'Flowtune project configuration', description: 'flowtune.config.json: workers, budgets and the optimization policy.' };
}

export function configJsonSchemaText(): string {
  return JSON.stringify(configJsonSchema(), null, 2) + '\n';
}
