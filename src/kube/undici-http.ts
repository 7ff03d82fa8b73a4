// client-node's requests, sent with undici's request() instead of its fetch(). client-node's own
// HttpLibrary is fetch: every response goes through WHATWG Headers and a web ReadableStream, whose
// bookkeeping was the largest part of the operator's main-thread CPU at tens of events a second
// (profiled: undici's fetch and node:internal/webstreams above the reconcilers themselves).
// request() is the same undici, the same connection pool (the request's dispatcher), with Node
// streams and plain header objects. The body is read whole before the response is handed over, as
// every API call reads it anyway; that also frees the connection whatever the caller does.
import { ResponseContext, SelfDecodingBody } from '@kubernetes/client-node';
import type { RequestContext } from '@kubernetes/client-node';
import { request } from 'undici';
import type { Dispatcher } from 'undici';

type RequestBody = ReturnType<RequestContext['getBody']>;

export async function sendWithUndici(req: RequestContext): Promise<ResponseContext> {
  const response = await request(req.getUrl(), {
    method: req.getHttpMethod() as Dispatcher.HttpMethod,
    headers: req.getHeaders(),
    body: bodyOf(req.getBody()),
    signal: req.getSignal() ?? null,
    // The shared connection pool (transport.ts), an undici Agent made by client-node.
    dispatcher: req.getDispatcher(),
  });
  const bytes = Buffer.from(await response.body.arrayBuffer());
  return new ResponseContext(
    response.statusCode,
    flatHeaders(response.headers),
    new SelfDecodingBody(Promise.resolve(bytes)),
  );
}

/** The APIs the operator calls send JSON (a string) or nothing; a form would be a new use: say so. */
function bodyOf(body: RequestBody): string | undefined {
  if (body === undefined || typeof body === 'string') return body;
  if (body instanceof URLSearchParams) return body.toString();
  throw new TypeError('multipart request bodies are not supported by this transport');
}

/** One value per header, as fetch's Headers gives them: repeated ones joined with ", ". */
function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
