import type { ResultCode } from '@op/contracts';

/**
 * A failure the caller should see: the contract's code and one Chinese sentence naming the
 * offending parameter. Services throw these; the exception filter writes the envelope.
 */
export class OpError extends Error {
  constructor(
    readonly code: Exclude<ResultCode, 200>,
    message: string,
    /** Extra response headers, e.g. Retry-After for 429. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'OpError';
  }

  static badRequest(message: string): OpError {
    return new OpError(400, message);
  }

  static unauthorized(message: string): OpError {
    return new OpError(401, message);
  }

  static forbidden(message: string): OpError {
    return new OpError(403, message);
  }

  static notFound(message: string): OpError {
    return new OpError(404, message);
  }

  /** 429 with a whole-second Retry-After (at least 1) that the message repeats. */
  static tooManyRequests(what: string, waitMs: number): OpError {
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    return new OpError(429, `${what}，请 ${seconds} 秒后再试`, { 'retry-after': String(seconds) });
  }

  static conflict(message: string): OpError {
    return new OpError(409, message);
  }
}
