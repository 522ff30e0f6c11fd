import { createHash } from 'node:crypto';

export const APPKEY = 'easemob-demo#kefu';
export const CALLBACK_SECRET = 'cb-secret';

let sequence = 0;

export interface CallbackOptions {
  from: string;
  to: string;
  body?: Record<string, unknown>;
  msgId?: string;
  timestamp?: number;
  chatType?: string;
  eventType?: string;
  ext?: Record<string, unknown>;
  extra?: Record<string, unknown>;
  secret?: string;
  appkey?: string;
}

/** A post-send callback in Easemob's documented shape, with a correct `security` unless told. */
export function callbackBody(options: CallbackOptions): Record<string, unknown> {
  sequence++;
  const msgId = options.msgId ?? `10648257123726${String(sequence).padStart(5, '0')}`;
  const appkey = options.appkey ?? APPKEY;
  // Easemob calls back as the message is sent: the server refuses a stale timestamp.
  const timestamp = options.timestamp ?? Date.now() + (sequence % 1000);
  const callId = `${appkey}_${msgId}`;
  return {
    callId,
    eventType: options.eventType ?? 'chat',
    timestamp,
    chat_type: options.chatType ?? 'chat',
    from: options.from,
    to: options.to,
    msg_id: msgId,
    payload: { bodies: [options.body ?? { type: 'txt', msg: `消息 ${sequence}` }], ext: options.ext ?? {} },
    securityVersion: '1.0.0',
    security: createHash('md5')
      .update(callId + (options.secret ?? CALLBACK_SECRET) + String(timestamp))
      .digest('hex'),
    appkey,
    host: 'msync@ebs-ali-beijing-msync43',
    ...options.extra,
  };
}

export async function postCallback(baseUrl: string, body: unknown, raw?: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${baseUrl}/hx/callback`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: raw ?? JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}
