import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { OperatorLoginRequest, type OperatorLoginResult } from '@op/contracts';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { CurrentContext, type OpContext } from './op-context';
import { SkipToken } from './skip-signature.decorator';
import { OpError } from '../../common/errors/op-error';
import { TimeFormatter } from '../../common/util/time-format';
import { LoginThrottle } from './login-throttle.service';
import { OperatorTokenService } from './operator-token.service';
import { OperatorService } from './operator.service';

/** Sessions of the admin panel's operators last a working day. */
export const LOGIN_TOKEN_TTL_SECONDS = 12 * 3600;

/** Operator sign-in and sign-out (docs/CONTRACT.md §6). */
@Controller('op/v2')
export class OperatorAuthController {
  private readonly time: TimeFormatter;

  constructor(
    private readonly operators: OperatorService,
    private readonly tokens: OperatorTokenService,
    private readonly throttle: LoginThrottle,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.time = new TimeFormatter(config.timezone);
  }

  @Post('operatorLogin')
  @HttpCode(200)
  @SkipToken()
  async operatorLogin(@CurrentContext() context: OpContext, @Body() body: OperatorLoginRequest): Promise<OperatorLoginResult> {
    const user = `${context.tenantId}:${body.username}`;
    // Counted before the slow hash, atomically: a burst meets the limit a sequence does.
    const wait = await this.throttle.begin(user, context.ip);
    if (wait > 0) throw OpError.tooManyRequests('登录失败次数过多', wait);
    const operator = await this.operators.verifyPassword(context.tenantId, body.username, body.password);
    if (!operator) throw OpError.unauthorized('用户名或密码错误');
    await this.throttle.succeed(user, context.ip);
    const { token, expiresAtMs } = await this.tokens.issue(operator.id, LOGIN_TOKEN_TTL_SECONDS);
    return {
      token,
      expiresAt: this.time.formatMs(expiresAtMs),
      operator: { operatorId: operator.id, username: operator.username, role: operator.role },
    };
  }

  @Post('operatorLogout')
  @HttpCode(200)
  async operatorLogout(@CurrentContext() context: OpContext): Promise<null> {
    if (context.token) await this.tokens.revoke(context.token);
    return null;
  }
}
