// Writes the config JSON Schema where package.json's jsonValidation points (dist/schemas/), from
// shared/config.ts. Run by esbuild.mjs after bundling (as dist/tools/writeConfigSchema.js).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONFIG_SCHEMA_FILE, configJsonSchemaText } from './configJsonSchema';

const outDir = path.resolve(process.argv[2] ?? path.join('dist', 'schemas'));
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, CONFIG_SCHEMA_FILE), configJsonSchemaText());
