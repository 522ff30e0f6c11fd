import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Envelope } from '@op/contracts';
import { map, type Observable } from 'rxjs';
import { EnvelopeFactory } from './envelope';

/** Wraps every successful result in the §2 envelope. */
@Injectable()
export class EnvelopeInterceptor implements NestInterceptor {
  constructor(private readonly envelopes: EnvelopeFactory) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<Envelope<unknown>> {
    return next.handle().pipe(map((result: unknown) => this.envelopes.success(result)));
  }
}
