// Decompresses a request body by its Content-Encoding, enforcing the size limit on the decompressed bytes
// (a small gzip bomb must not expand into memory).
import * as zlib from 'node:zlib';
import { promisify } from 'node:util';
import { HttpError } from './httpError';

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const brotli = promisify(zlib.brotliDecompress);

export async function decodeRequestBody(raw: Buffer, contentEncoding: string | undefined, limitBytes: number): Promise<Buffer> {
  const encoding = (contentEncoding ?? 'identity').trim().toLowerCase();
  let body: Buffer;
  try {
    switch (encoding) {
      case '':
      case 'identity':
        body = raw;
        break;
      case 'gzip':
      case 'x-gzip':
        body = await gunzip(raw, { maxOutputLength: limitBytes + 1 });
        break;
      case 'deflate':
        body = await inflate(raw, { maxOutputLength: limitBytes + 1 });
        break;
      case 'br':
        body = await brotli(raw, { maxOutputLength: limitBytes + 1 });
        break;
      default:
        throw new HttpError(415, 'unsupported_encoding', `Content-Encoding "${encoding}" is not supported (use gzip, deflate, br or none)`);
    }
  } catch (error) {
    if (error instanceof HttpError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') {
      throw new HttpError(413, 'payload_too_large', `request body exceeds ${limitBytes} bytes after decompression`);
    }
    throw new HttpError(400, 'invalid_encoding', `request body is not valid ${encoding} data: ${(error as Error).message}`);
  }
  if (body.length > limitBytes) {
    throw new HttpError(413, 'payload_too_large', `request body exceeds ${limitBytes} bytes`);
  }
  return body;
}

export function parseJsonBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new HttpError(400, 'invalid_json', `request body is not valid JSON: ${(error as Error).message}`);
  }
}
