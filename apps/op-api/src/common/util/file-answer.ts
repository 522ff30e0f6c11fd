import type { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';

/** A file answer (docs/CONTRACT.md §7): not the envelope; its body streams as the client reads it. */
export interface FileAnswer {
  stream: Readable;
  fileName: string;
  contentType: string;
}

/**
 * Sets the file's headers and hands back the stream for Fastify to pipe (with backpressure).
 * Routes that answer this way are marked `@RawResponse()`; their errors, thrown before this,
 * are still the envelope.
 */
export function sendFile(reply: FastifyReply, answer: FileAnswer): Readable {
  void reply.headers({
    'content-type': answer.contentType,
    'content-disposition': `attachment; filename="${answer.fileName}"`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  return answer.stream;
}
