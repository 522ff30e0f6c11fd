import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { OpError } from '../../common/errors/op-error';
import type { OperatorRole } from './operator.entity';

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

/** The calling operator; every endpoint but sign-in has one. */
export function requireOperator(context: OpContext): AuthenticatedOperator {
  if (!context.operator) throw OpError.unauthorized('token 不能为空');
  return context.operator;
}

/** Admins read every chat of their tenant; an agent only the chats assigned to them. */
export function canRead(operator: AuthenticatedOperator, chatOperatorId: string | null): boolean {
  return operator.role === 'admin' || chatOperatorId === operator.id;
}
