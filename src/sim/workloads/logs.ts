/** A pods/log request that cannot be answered (ambiguous or unknown container); the API server maps it to 400. */
export class LogRequestError extends Error {
  override readonly name = 'LogRequestError';
  readonly code = 400;
}
