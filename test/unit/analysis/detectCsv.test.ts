import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../../support/tempDir';
import { formatScoredCsv, parseSeriesCsv, parseTimestamp, runDetect, scoreRows } from '../../../daemon/analysis/detectCsv';

describe('analysis/detectCsv', () => {
  it('parses ISO, NAB-style and epoch timestamps', () => {
    assert.equal(parseTimestamp('2014-04-01 00:05:00'), Date.UTC(2014, 3, 1, 0, 5));
    assert.equal(parseTimestamp('2014-04-01T00:05:00Z'), Date.UTC(2014, 3, 1, 0, 5));
    assert.equal(parseTimestamp('1396310700'), Date.UTC(2014, 3, 1, 0, 5));
    assert.equal(parseTimestamp('1396310700000'), Date.UTC(2014, 3, 1, 0, 5));
    assert.ok(Number.isNaN(parseTimestamp('yesterday')));
  });

  it('accepts a header or none, quoted cells and blank values', () => {
    const withHeader = parseSeriesCsv('timestamp,value\n2014-04-01 00:00:00,1.5\n"2014-04-01 00:05:00",\n');
    assert.equal(withHeader.length, 2);
    assert.equal(withHeader[0].value, 1.5);
    assert.ok(Number.isNaN(withHeader[1].value));
    const noHeader = parseSeriesCsv('1396310400,3\r\n1396310700,4\r\n');
    assert.deepEqual(noHeader.map((r) => r.value), [3, 4]);
    const swapped = parseSeriesCsv('value,timestamp\n7,1396310400\n');
    assert.equal(swapped[0].value, 7);
    assert.equal(swapped[0].timestampMs, 1396310400000);
  });

  it('writes timestamp,value,anomaly_score with one score in [0,1] per row, causally', () => {
    const lines = ['timestamp,value'];
    for (let i = 0; i < 400; i += 1) lines.push(`${1396310400 + i * 300},${10 + Math.sin(i) * 0.5 + (i === 300 ? 30 : 0)}`);
    const rows = parseSeriesCsv(lines.join('\n'));
    const scores = scoreRows(rows);
    assert.equal(scores.length, 400);
    assert.ok(scores.every((s) => s >= 0 && s <= 1));
    assert.ok(scores[300] >= 0.5, String(scores[300]));
    assert.ok(Math.max(...scores.slice(0, 300)) < 0.5);
    // Causality: scores of a prefix do not depend on what follows.
    const prefix = scoreRows(rows.slice(0, 301));
    assert.deepEqual(prefix, scores.slice(0, 301));
    const csv = formatScoredCsv(rows, scores).trim().split('\n');
    assert.equal(csv[0], 'timestamp,value,anomaly_score');
    assert.equal(csv.length, 401);
    assert.equal(csv[1].split(',')[0], '1396310400');
  });

  it('runDetect streams the input to the output file, scores at full precision', async () => {
    const dir = makeTempDir('flowtune-detect-');
    const input = join(dir, 'in.csv');
    const output = join(dir, 'out.csv');
    writeFileSync(input, 'timestamp,value\n2024-01-01T00:00:00Z,1\n2024-01-01T00:01:00Z,2\n');
    assert.deepEqual(await runDetect(input, output), { rows: 2 });
    assert.equal(readFileSync(output, 'utf8'), 'timestamp,value,anomaly_score\n2024-01-01T00:00:00Z,1,0\n2024-01-01T00:01:00Z,2,0\n');
    // 100,000 rows through the stream (several output batches), one spike: the scores read back exactly.
    const lines = ['timestamp,value'];
    for (let i = 0; i < 100_000; i += 1) lines.push(`${1396310400 + i * 60},${(10 + Math.sin(i * 12.9898) + (i === 90_000 ? 40 : 0)).toFixed(4)}`);
    writeFileSync(input, `${lines.join('\n')}\n`);
    assert.deepEqual(await runDetect(input, output), { rows: 100_000 });
    const out = readFileSync(output, 'utf8').trim().split('\n');
    assert.equal(out.length, 100_001);
    const scores = out.slice(1).map((l) => Number(l.split(',')[2]));
    assert.deepEqual(scores, scoreRows(parseSeriesCsv(lines.join('\n'))));
    assert.ok(scores[90_000] >= 0.5);
    const high = scores.filter((x) => x >= 0.3);
    assert.equal(new Set(high).size, high.length, 'ties among high scores');
  });

  it('stops on a malformed row with an error naming the line, and leaves an existing output alone', async () => {
    const dir = makeTempDir('flowtune-detect-');
    const input = join(dir, 'in.csv');
    const output = join(dir, 'out.csv');
    writeFileSync(output, 'previous result\n');
    const cases: Array<[string, RegExp]> = [
      ['timestamp,value\n1396310400,1\n1396310460,abc\n', /^line 3: value "abc" is not a number/],
      ['timestamp,value\n1396310400,1\n\nsoon,2\n', /^line 4: timestamp "soon" is not ISO-8601/],
      ['timestamp,value\n1396310400,1\n1396310460\n', /^line 3: expected a timestamp and a value, found 1 column/],
    ];
    for (const [text, message] of cases) {
      writeFileSync(input, text);
      await assert.rejects(runDetect(input, output), (e: Error) => e.name === 'DetectInputError' && message.test(e.message));
      assert.equal(readFileSync(output, 'utf8'), 'previous result\n');
    }
    assert.deepEqual(readdirSync(dir).sort(), ['in.csv', 'out.csv']);
    await assert.rejects(runDetect(join(dir, 'missing.csv'), output), /ENOENT/);
  });
});
