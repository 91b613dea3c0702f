// The llm-rubric evaluator against a tiny loopback judge speaking the chat completions API: the request
// carries a strict JSON schema (structured output) and the verdict's score is used, clamped to [0, 1].
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { scoreRubric } from '../../../daemon/optimize/evaluators/llmRubric';
import { compressWithModel } from '../../../daemon/optimize/optimizers/promptCompression';

describe('llm-rubric through the openai client', () => {
  let server: http.Server;
  let lastBody: Record<string, unknown> = {};
  let answer = '{"pass":true,"score":0.8,"reason":"clear"}';
  let client: OpenAI;
  before(async () => {
    server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        lastBody = JSON.parse(raw) as Record<string, unknown>;
        const body = JSON.stringify({ id: 'x', object: 'chat.completion', created: 0, model: 'judge', choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }] });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new OpenAI({ apiKey: 'k', baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, maxRetries: 0 });
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends a strict json_schema response format and reads the score', async () => {
    const score = await scoreRubric(client, 'judge-model', 'mentions a concrete example', 'input', 'For example, X.');
    assert.equal(score.value, 0.8);
    assert.equal(score.reason, 'clear');
    assert.equal(lastBody.model, 'judge-model');
    const format = lastBody.response_format as { type: string; json_schema: { strict: boolean; schema: { required: string[] } } };
    assert.equal(format.type, 'json_schema');
    assert.equal(format.json_schema.strict, true);
    assert.deepEqual(format.json_schema.schema.required, ['pass', 'score', 'reason']);
  });
  it('clamps scores and treats an unparseable verdict as a failure', async () => {
    answer = '{"pass":true,"score":7,"reason":"x"}';
    assert.equal((await scoreRubric(client, 'j', 'r', 'i', 'o')).value, 1);
    answer = 'not json';
    const bad = await scoreRubric(client, 'j', 'r', 'i', 'o');
    assert.equal(bad.value, 0);
    assert.match(bad.reason, /not the JSON verdict/);
  });
  it('model-based prompt compression asks for a JSON {prompt} and returns it (null when unusable)', async () => {
    answer = '{"prompt":"Return only JSON."}';
    assert.equal(await compressWithModel(client, 'rewriter', 'Return JSON. Please return only JSON.'), 'Return only JSON.');
    assert.equal((lastBody.response_format as { json_schema: { name: string } }).json_schema.name, 'compressed_prompt');
    answer = '{"prompt":"  "}';
    assert.equal(await compressWithModel(client, 'rewriter', 'x'), null);
  });
});
