import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { opEndpoint, type OpEndpointName } from '@op/contracts';
import { finalize, type Observable } from 'rxjs';
import { ReadReplicas } from '../../database/read-replicas';

/**
 * The endpoints whose reads replicas answer (issue 14): the review reads. Everything else may
 * write, or must see the latest state (sign-in, tokens, erasure, export), and reads the primary.
 */
export const REPLICA_READS: readonly OpEndpointName[] = [
  'chatMessageList',
  'chatSearch',
  'chatDetail',
  'markList',
  'favoriteList',
  'auditList',
];

const REPLICA_PATHS = new Set(REPLICA_READS.map((name) => opEndpoint(name).path));

/**
 * Sends a review read's queries to a replica that may serve its operator (after the guard,
 * whose token check reads the primary), and notes every other call of an operator as a
 * possible write, so that operator's next reads wait for a replica holding it.
 */
@Injectable()
export class ReadRoutingInterceptor implements NestInterceptor {
  constructor(private readonly replicas: ReadReplicas) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.replicas.configured) return next.handle();
    // The signature guard's OpContext, read by shape: the common layer imports no feature module.
    const request = context
      .switchToHttp()
      .getRequest<{ opContext?: { operator: { id: string } | null }; routeOptions?: { url?: string } }>();
    const operatorId = request.opContext?.operator?.id ?? null;
    // next.handle() binds the handler to the async context it is called in: the read scope.
    if (REPLICA_PATHS.has(request.routeOptions?.url ?? '')) return this.replicas.reading(operatorId, () => next.handle());
    return next.handle().pipe(finalize(() => this.replicas.wrote(operatorId)));
  }
}
