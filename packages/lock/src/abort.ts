/**
 * The abort reason when it is an Error (by default a DOMException named AbortError);
 * any other value is wrapped in an AbortError, so callers always get an Error.
 */
export function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error) return reason;
  const message = typeof reason === 'string' ? reason : 'The lock wait was aborted';
  return new DOMException(message, 'AbortError');
}
