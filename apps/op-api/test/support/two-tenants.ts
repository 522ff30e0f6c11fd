// The shared world of the marks, favorites, roles, audit-trail and aroundMessageId specs: the
// real API on `engine` with tenant A (its admin `a`, a second admin and two agents; chats c1 of
// 45 messages assigned to agent1, c2 of 3 assigned to agent2, c3 of 2 and c4 of 30 assigned to
// nobody) and tenant B (its admin `b`, its own chat c1 of one message).
import type { ChatMessageListData, MessageFavoriteData, MessageMarkData } from '@op/contracts';
import { OpClient } from '@op/contracts/node';
import type { Engine } from './databases';
import { record } from './records';
import { startTestApp, type TestApp, type TestTenant } from './test-app';

/** A day ago on a whole second: every message of the world is recent. */
export const RECENT = Math.floor((Date.now() - 86_400_000) / 1000) * 1000;

export interface Operator {
  operatorId: string;
  client: OpClient;
}

type Caller = { client: OpClient };

export interface TwoTenants {
  t: TestApp;
  /** Admin of tenant A. */
  a: TestTenant;
  /** Admin of tenant B. */
  b: TestTenant;
  /** A second admin of tenant A. */
  admin2: Operator;
  agent1: Operator;
  agent2: Operator;
  /** The userMessageIds of tenant A's chats c1–c4 in chat order, and of tenant B's chat (`b`). */
  ids: Record<string, string[]>;
}

export const list = (who: Caller, body: Record<string, unknown>) => who.client.call<ChatMessageListData>('chatMessageList', body);
export const markAdd = (who: Caller, messageId: string, mark: unknown) =>
  who.client.call<MessageMarkData>('messageMarkAdd', { messageId, mark });
export const markRemove = (who: Caller, messageId: string, mark: unknown) =>
  who.client.call<MessageMarkData>('messageMarkRemove', { messageId, mark });
export const favAdd = (who: Caller, messageId: unknown) => who.client.call<MessageFavoriteData>('messageFavoriteAdd', { messageId });
export const favRemove = (who: Caller, messageId: unknown) => who.client.call<MessageFavoriteData>('messageFavoriteRemove', { messageId });

/** Assigns one of tenant A's chats to an operator (or to nobody). */
export const assign = (world: TwoTenants, chatId: string, operatorId: string | null) =>
  world.t.dataSource.query('UPDATE chats SET operator_id = ? WHERE tenant_id = ? AND id = ?', [operatorId, world.a.tenantId, chatId]);

/** Starts the API on `engine` and builds the world; the caller closes `t`. */
export async function startTwoTenants(engine: Engine): Promise<TwoTenants> {
  const t = await startTestApp(engine);
  const operator = (tenant: TestTenant, username: string, role: 'agent' | 'admin'): Promise<Operator> =>
    t.addOperator(tenant, { username, role });
  const a = await t.createTenant();
  const b = await t.createTenant();
  const world: TwoTenants = {
    t,
    a,
    b,
    admin2: await operator(a, 'admin2', 'admin'),
    agent1: await operator(a, 'agent1', 'agent'),
    agent2: await operator(a, 'agent2', 'agent'),
    ids: {},
  };
  const chats: Record<string, number> = { c1: 45, c2: 3, c3: 2, c4: 30 };
  for (const [chatId, count] of Object.entries(chats)) {
    await t.importRecords(
      a.tenantId,
      Array.from({ length: count }, (_, i) =>
        record({ chatId, timestamp: RECENT + i * 1000, body: { type: 'txt', msg: `${chatId} 第${i}条 退款` } }),
      ),
    );
    world.ids[chatId] = (await list(a, { chatId, pageSize: 100 })).envelope.data!.msg.map((m) => m.userMessageId);
  }
  await assign(world, 'c1', world.agent1.operatorId);
  await assign(world, 'c2', world.agent2.operatorId);
  await t.importRecords(b.tenantId, [record({ chatId: 'c1', timestamp: RECENT, body: { type: 'txt', msg: 'B 的消息' } })]);
  world.ids.b = (await list(b, { chatId: 'c1' })).envelope.data!.msg.map((m) => m.userMessageId);
  return world;
}
