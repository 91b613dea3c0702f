// The SSE splitter must give the same events however the network cuts the bytes.
import assert from 'node:assert/strict';
import { parseSseEvent, SseSplitter, type SseEvent } from '../../../daemon/proxy/sseEvents';

function feed(chunks: Buffer[]): { events: SseEvent[]; remainder: Buffer } {
  const splitter = new SseSplitter();
  const events: SseEvent[] = [];
  for (const chunk of chunks) events.push(...splitter.push(chunk));
  return { events, remainder: splitter.remainder() };
}

function cut(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size));
  return out;
}

const STREAM = Buffer.from(
  'data: {"text":"héllo wörld ✓ 日本語 🎉"}\n\n' +
    ': keep-alive comment\n\n' +
    'event: response.output_text.delta\ndata: {"delta":"a"}\n\n' +
    'data: line one\ndata: line two\n\n' +
    'data: [DONE]\n\n',
);

describe('SSE splitter', () => {
  it('parses data, event, comments and multi-line data', () => {
    const { events, remainder } = feed([STREAM]);
    assert.equal(events.length, 5);
    assert.equal(events[0].data, '{"text":"héllo wörld ✓ 日本語 🎉"}');
    assert.equal(events[1].data, undefined);
    assert.equal(events[2].event, 'response.output_text.delta');
    assert.equal(events[2].data, '{"delta":"a"}');
    assert.equal(events[3].data, 'line one\nline two');
    assert.equal(events[4].data, '[DONE]');
    assert.equal(remainder.length, 0);
  });

  it('gives identical events and bytes for every chunk size, including splits inside UTF-8 characters', () => {
    const whole = feed([STREAM]).events.map((event) => ({ data: event.data, event: event.event, raw: event.raw.toString('hex') }));
    for (let size = 1; size <= STREAM.length; size++) {
      const pieces = feed(cut(STREAM, size)).events.map((event) => ({ data: event.data, event: event.event, raw: event.raw.toString('hex') }));
      assert.deepEqual(pieces, whole, `chunk size ${size}`);
    }
    // The raw bytes of the events put together are the stream, byte for byte.
    assert.deepEqual(Buffer.concat(feed(cut(STREAM, 3)).events.map((event) => event.raw)), STREAM);
  });

  it('handles CRLF and CR line endings, also when a CRLF is split across chunks', () => {
    const crlf = Buffer.from('data: a\r\ndata: b\r\n\r\ndata: ü\r\n\r\n');
    for (let size = 1; size <= crlf.length; size++) {
      const { events, remainder } = feed(cut(crlf, size));
      assert.deepEqual(
        events.map((event) => event.data),
        ['a\nb', 'ü'],
        `chunk size ${size}`,
      );
      assert.equal(remainder.length, 0);
    }
    const cr = feed([Buffer.from('data: x\r\rdata: y\r\r\n')]);
    assert.deepEqual(cr.events.map((event) => event.data), ['x', 'y']);
  });

  it('keeps an unterminated event as the remainder', () => {
    const { events, remainder } = feed([Buffer.from('data: one\n\ndata: tw'), Buffer.from('o')]);
    assert.deepEqual(events.map((event) => event.data), ['one']);
    assert.equal(remainder.toString(), 'data: two');
  });

  it('follows the field rules: one optional space after the colon, fields without colon, unknown fields ignored', () => {
    const event = parseSseEvent(Buffer.from('data:no-space\ndata:  two spaces\nid: 7\nretry: 10\ndata\n\n'));
    assert.equal(event.data, 'no-space\n two spaces\n');
    assert.equal(event.id, '7');
  });
});
