import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { maskPromptTemplate, promptFingerprint } from '../../../daemon/ingest/genai/promptFingerprint';
import { mapLogsToScores, normalizeScoreValue } from '../../../daemon/ingest/genai/scores';
import { normalizeLogsRequestJson } from '../../../daemon/ingest/otlp/normalizeLogs';
import { TRACE_ID, keyValues } from './otlpFixtures';

describe('promptFingerprint', () => {
  it('masks template variables, quoted strings and numbers, and collapses whitespace', () => {
    assert.equal(maskPromptTemplate('Hi {{ name }}, you have 3 items ({count}) for ${user}.'), 'Hi {{}}, you have 0 items ({{}}) for {{}}.');
    assert.equal(maskPromptTemplate('Translate "bonjour" and \'merci\' on 2024-07-18 at 12:30'), 'Translate "" and "" on 0 at 0');
    assert.equal(maskPromptTemplate("Don't change it's meaning"), "Don't change it's meaning");
    assert.equal(maskPromptTemplate('  a \n\n b\t'), 'a b');
  });

  it('is the sha256 of the masked text, equal for prompts that differ only in filled values', () => {
    assert.equal(promptFingerprint('Hello 42'), createHash('sha256').update('Hello 0').digest('hex'));
    assert.equal(promptFingerprint('Summarize "report A" in 3 bullets'), promptFingerprint('Summarize "report B" in 5 bullets'));
    assert.notEqual(promptFingerprint('Summarize in bullets'), promptFingerprint('Translate in bullets'));
  });
});

describe('quality scores', () => {
  it('keeps a 0..1 value, rescales with a max hint, and keeps only rawValue otherwise', () => {
    assert.deepEqual(normalizeScoreValue(0.4), { value: 0.4, rawValue: 0.4 });
    assert.deepEqual(normalizeScoreValue(7), { value: null, rawValue: 7 });
    assert.deepEqual(normalizeScoreValue(7, undefined, 10), { value: 0.7, rawValue: 7 });
    assert.deepEqual(normalizeScoreValue(12, 0, 10), { value: 1, rawValue: 12 });
    assert.deepEqual(normalizeScoreValue(undefined), { value: null, rawValue: null });
  });

  it('maps gen_ai.evaluation.result log records to scores on the call, ignoring other logs', () => {
    const { logs } = normalizeLogsRequestJson({
      resourceLogs: [
        {
          resource: { attributes: keyValues({ 'service.name': 'app' }) },
          scopeLogs: [
            {
              logRecords: [
                { timeUnixNano: '1730000000000000000', eventName: 'gen_ai.evaluation.result', traceId: TRACE_ID, spanId: 'eee19b7ec3c1b174', attributes: keyValues({ 'gen_ai.evaluation.name': 'relevance', 'gen_ai.evaluation.score.value': 0.75, 'gen_ai.evaluation.explanation': 'ok' }) },
                { timeUnixNano: '1730000000000000000', attributes: keyValues({ 'event.name': 'gen_ai.evaluation.result', 'gen_ai.evaluation.name': 'tone', 'gen_ai.evaluation.score.label': 'polite' }) },
                { timeUnixNano: '1730000000000000000', eventName: 'app.started' },
              ],
            },
          ],
        },
      ],
    });
    const scores = mapLogsToScores(logs);
    assert.deepEqual(scores, [
      { callId: `${TRACE_ID}:eee19b7ec3c1b174`, runId: TRACE_ID, name: 'relevance', value: 0.75, rawValue: 0.75, label: null, comment: 'ok', source: 'otel_evaluation', createdAt: 1730000000000 },
      { callId: null, runId: null, name: 'tone', value: null, rawValue: null, label: 'polite', comment: null, source: 'otel_evaluation', createdAt: 1730000000000 },
    ]);
    assert.equal(mapLogsToScores(logs, { isKnownCall: () => false })[0].callId, null);
  });
});
