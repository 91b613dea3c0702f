// Server-sent events, split on the raw bytes. Event boundaries (a blank line: LF LF, CR CR, CRLF CRLF
// or mixes) are ASCII, and UTF-8 never uses bytes below 0x80 inside a multi-byte character, so
// splitting bytes cannot cut a character; each complete event is decoded whole. Keeping the raw
// bytes of each event lets the proxy forward them unchanged, or drop one event, exactly.

/** One complete event: its raw bytes (terminator included) and its parsed fields. */
export interface SseEvent {
  raw: Buffer;
  /** The `event:` field, or undefined for the default "message". */
  event?: string;
  /** The `data:` lines joined with "\n"; undefined when the event had no data line (comments only). */
  data?: string;
  id?: string;
}

const LF = 0x0a;
const CR = 0x0d;

/** Incremental splitter: feed network chunks, get complete events back in order. */
export class SseSplitter {
  private pending: Buffer = Buffer.alloc(0);
  /** Where the previous scan stopped, so a long event is not rescanned from its start on every chunk. */
  private scanFrom = 0;

  push(chunk: Buffer): SseEvent[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const events: SseEvent[] = [];
    let eventStart = 0;
    let index = this.scanFrom;
    const bytes = this.pending;
    while (index < bytes.length) {
      const lineEnd = lineTerminatorLength(bytes, index);
      if (lineEnd === -1) break; // a lone CR at the end: it may be the start of CRLF
      if (lineEnd === 0) {
        index++;
        continue;
      }
      // A line ended at `index`; the event ends if the next line is empty.
      const next = index + lineEnd;
      const followingEnd = lineTerminatorLength(bytes, next);
      if (followingEnd === -1) break;
      if (followingEnd > 0) {
        const end = next + followingEnd;
        events.push(parseSseEvent(bytes.subarray(eventStart, end)));
        eventStart = end;
        index = end;
        continue;
      }
      index = next;
    }
    this.pending = bytes.subarray(eventStart);
    this.scanFrom = Math.max(0, index - eventStart);
    return events;
  }

  /** Bytes received after the last complete event (an unterminated event when the stream ends). */
  remainder(): Buffer {
    return this.pending;
  }
}

/**
 * At `index`: 0 when the byte is not a line terminator, its length (1 or 2) when it is, and -1 when
 * a CR is the last byte seen so far (it could still become CRLF).
 */
function lineTerminatorLength(bytes: Buffer, index: number): number {
  if (index >= bytes.length) return -1;
  const byte = bytes[index];
  if (byte === LF) return 1;
  if (byte !== CR) return 0;
  if (index + 1 >= bytes.length) return -1;
  return bytes[index + 1] === LF ? 2 : 1;
}

/** Parses one event's bytes (as in the WHATWG EventSource algorithm, without the retry field). */
export function parseSseEvent(raw: Buffer): SseEvent {
  const text = raw.toString('utf8');
  const event: SseEvent = { raw };
  const dataLines: string[] = [];
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') dataLines.push(value);
    else if (field === 'event') event.event = value;
    else if (field === 'id') event.id = value;
  }
  if (dataLines.length > 0) event.data = dataLines.join('\n');
  return event;
}

/** Formats an error as an SSE event the openai client raises as an APIError. */
export function sseErrorEvent(message: string, type: string, code: string): Buffer {
  return Buffer.from(`data: ${JSON.stringify({ error: { message, type, code } })}\n\n`);
}
