import { IsDefined, IsString } from 'class-validator';
import { CharLength } from './chat-message-list.request';

/** `operatorLogin`: the one signed call made without an operator token. */
export class OperatorLoginRequest {
  @CharLength(1, 64, { message: 'username 长度必须在 1 到 64 个字符之间' })
  @IsString({ message: 'username 必须是字符串' })
  @IsDefined({ message: 'username 不能为空' })
  username!: string;

  @CharLength(1, 128, { message: 'password 长度必须在 1 到 128 个字符之间' })
  @IsString({ message: 'password 必须是字符串' })
  @IsDefined({ message: 'password 不能为空' })
  password!: string;
}

export type OperatorRole = 'agent' | 'admin';
export const OPERATOR_ROLES: readonly OperatorRole[] = ['agent', 'admin'];

/** An operator as the API shows one (never a secret: no password hash, no token). */
export interface OperatorSummary {
  operatorId: string;
  username: string;
  role: OperatorRole;
}

export interface OperatorLoginResult {
  token: string;
  /** `yyyy-MM-dd HH:mm:ss` in the configured zone. */
  expiresAt: string;
  operator: OperatorSummary;
}
