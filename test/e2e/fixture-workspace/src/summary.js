// Untagged: no x-flowtune-worker header. Flowtune finds this call through the source line its spans record.
import OpenAI from 'openai';

const client = new OpenAI();

export async function summary(text) {
  const response = await client.responses.create({ model: 'gpt-4o', input: `Summarise: ${text}` });
  return response.output_text;
}
