import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { OperatorRole } from '../../modules/access/operator.entity';

export interface AuthenticatedOperator {
  id: string;
  tenantId: string;
  role: OperatorRole;
}

/** Who is calling, as established by the signature guard. */
export interface OpContext {
  tenantId: string;
  clientId: string;
  operator: AuthenticatedOperator | null;
  /** The operator token of the call (kept in memory only, for sign-out). */
  token: string | null;
  ip: string;
}

export interface RequestWithContext {
  opContext?: OpContext;
}

export const CurrentContext = createParamDecorator((_: unknown, ctx: ExecutionContext): OpContext => {
  const context = ctx.switchToHttp().getRequest<RequestWithContext>().opContext;
  if (!context) throw new Error('no OpContext: the route is not behind the signature guard');
  return context;
});
