// Reading request bodies with a hard size limit: a declared Content-Length over the limit is refused
// before a byte is read, and a streamed body is counted as it arrives and abandoned at the first byte
// over the limit, so an oversized upload never sits in memory.
import type { IncomingMessage } from 'node:http';
import { refuse } from './errors.ts';

export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw refuse.tooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) throw refuse.tooLarge(maxBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

/** The media type of a Content-Type header, lower-cased, without parameters ('' when absent). */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0].trim().toLowerCase();
}

export function isJsonMediaType(type: string): boolean {
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

/** Media types whose bodies can be stored as text in an Event's payload. */
export function isTextualMediaType(type: string): boolean {
  return isJsonMediaType(type) || type.startsWith('text/') || type === 'application/xml' || type.endsWith('+xml');
}

/** Decodes a body as UTF-8, refusing bytes that are not valid UTF-8 (the payload is stored as a string). */
export function bodyText(body: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch (err) {
    throw refuse.badRequest('request body is not valid UTF-8', err);
  }
}

/** Parses a JSON body, refusing malformed JSON with 400. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw refuse.badRequest(`request body is not valid JSON: ${(err as Error).message}`, err);
  }
}
