// A small content pipeline: research, then an outline, both through the official openai client.
import OpenAI from 'openai';

const client = new OpenAI();

export async function research(topic: string): Promise<string> {
  const response = await client.chat.completions.create(
    { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `Facts about ${topic}` }] },
    { headers: { 'x-flowtune-worker': 'research' } },
  );
  return response.choices[0]?.message.content ?? '';
}

export async function outline(topic: string, facts: string): Promise<string> {
  const response = await client.chat.completions.create(
    {
      model: 'gpt-4o',
      messages: [{ role: 'user', content: `Outline an article on ${topic} using: ${facts}` }],
    },
    { headers: { 'x-flowtune-worker': 'outline' } },
  );
  return response.choices[0]?.message.content ?? '';
}
