import type { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';

/** A file answer (docs/CONTRACT.md §7): not the envelope; its body streams as the client reads it. */
export interface FileAnswer {
  stream: Readable;
  /** ASCII only: `filename`. */
  fileName: string;
  /** The name as its reader would write it, when it is not `fileName`: `filename*` (RFC 6266). */
  displayName?: string;
  contentType: string;
}

/** RFC 5987's `value-chars`: percent-encoded UTF-8 but for letters, digits and `!#$&+-.^_`|~`. */
const extValue = (text: string) => encodeURIComponent(text).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * Sets the file's headers and hands back the stream for Fastify to pipe (with backpressure).
 * Routes that answer this way are marked `@RawResponse()`; their errors, thrown before this,
 * are still the envelope.
 */
export function sendFile(reply: FastifyReply, answer: FileAnswer): Readable {
  void reply.headers({
    'content-type': answer.contentType,
    'content-disposition':
      answer.displayName === undefined || answer.displayName === answer.fileName
        ? `attachment; filename="${answer.fileName}"`
        : `attachment; filename="${answer.fileName}"; filename*=UTF-8''${extValue(answer.displayName)}`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  return answer.stream;
}
