import { createHash, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { OpError } from '../../common/errors/op-error';
import { AccessService } from '../access/access.service';
import { idText, mapEasemobMessage, RecordError } from '../chat-message/easemob-message';
import { MessageRouter } from './message-router.service';

export type CallbackOutcome = 'stored' | 'duplicate' | 'recalled' | 'ignored';

const MESSAGE_EVENTS = new Set(['chat', 'chat_offline']);
const MESSAGE_CHAT_TYPES = new Set(['chat', 'groupchat']);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `security = hex(MD5(callId + secret + timestamp))`, compared in constant time. */
export function easemobSecurity(callId: string, secret: string, timestamp: string): string {
  return createHash('md5').update(callId + secret + timestamp, 'utf8').digest('hex');
}

/**
 * Easemob's post-send callback (发送后回调). Easemob retries once on any status but 200, so
 * 200 means committed (or deliberately ignored) and nothing else does.
 */
@Injectable()
export class EasemobCallbackService {
  constructor(
    private readonly access: AccessService,
    private readonly router: MessageRouter,
  ) {}

  async receive(body: unknown): Promise<CallbackOutcome> {
    if (!isObject(body)) throw OpError.badRequest('回调内容必须是 JSON 对象');
    const tenantId = await this.authenticate(body);

    const chatType = body.chat_type;
    if (chatType === 'recall') {
      const recallId = this.field(() => idText(body.recall_id, 'recall_id', true))!;
      const time = typeof body.timestamp === 'number' ? body.timestamp : Date.now();
      await this.router.recall(tenantId, recallId, time);
      return 'recalled';
    }
    if (!MESSAGE_EVENTS.has(String(body.eventType)) || !MESSAGE_CHAT_TYPES.has(String(chatType))) return 'ignored';

    const message = this.field(() => mapEasemobMessage(body));
    if (message.form === null || message.to === null) throw OpError.badRequest('from 和 to 不能为空');
    const groupId = chatType === 'groupchat' ? this.field(() => idText(body.group_id ?? body.to, 'group_id', true)) : null;
    const { stored } = await this.router.deliver(tenantId, { ...message, qiniuKey: null, groupId });
    return stored ? 'stored' : 'duplicate';
  }

  /** The tenant of a callback whose appkey is registered and whose security is right. */
  private async authenticate(body: Record<string, unknown>): Promise<string> {
    const { appkey, callId, security, timestamp } = body;
    if (typeof appkey !== 'string' || appkey === '' || appkey.length > 128) throw OpError.unauthorized('appkey 未注册');
    const app = await this.access.findEasemobApp(appkey);
    if (!app) throw OpError.unauthorized('appkey 未注册');
    if (typeof callId !== 'string' || typeof security !== 'string' || (typeof timestamp !== 'number' && typeof timestamp !== 'string')) {
      throw OpError.unauthorized('security 校验失败');
    }
    const expected = Buffer.from(easemobSecurity(callId, app.callbackSecret, String(timestamp)), 'utf8');
    const given = Buffer.from(security.toLowerCase(), 'utf8');
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw OpError.unauthorized('security 校验失败');
    return app.tenantId;
  }

  /** Runs a field mapping, turning a bad field into a 400 that names it. */
  private field<T>(map: () => T): T {
    try {
      return map();
    } catch (error) {
      if (error instanceof RecordError) throw OpError.badRequest(error.message);
      throw error;
    }
  }
}
