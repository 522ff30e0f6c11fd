import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditListData, ChatSearchData, CustomerEraseData } from '@op/contracts';
import { OpClient } from '@op/contracts/node';
import type { AppConfig } from '../src/config/app-config';
import { APP_CONFIG } from '../src/config/config.module';
import { isMysql } from '../src/database/dialect';
import { encodeEntry } from '../src/modules/easemob/spool-journal';
import { EasemobCallbackService } from '../src/modules/easemob/easemob-callback.service';
import { MessageRouter } from '../src/modules/easemob/message-router.service';
import { parseImportLine } from '../src/modules/importer/import-record';
import { SearchIndexService } from '../src/modules/search-index/search-index.service';
import { customerDigest } from '../src/modules/chat-message/erased-customers';
import { SEARCH_SETUPS } from './support/databases';
import { APPKEY, CALLBACK_SECRET, callbackBody, postCallback } from './support/easemob';
import { record } from './support/records';
import { startSearchApp, type TestApp, type TestTenant } from './support/test-app';

const RECENT = Date.now() - 3_600_000;
const AGENT_IM = 'kefu-erase';
// Each text is its own normalised form (lower case, no full-width), so a dump of the Mroonga
// table (which holds that form) would show it too.
const SECRET_TEXTS = ['唯一的退款理由甲乙丙 🍣', '地址是幸福路七号 emoji 🐼', '=hyperlink("http://x.example/?q=1","点我")'];
const KEPT_TEXTS = ['另一位客户的消息 保留'];

const outcome = (answer: { text: string }) => (JSON.parse(answer.text) as { data: { result: string } | null }).data?.result;

/** Every table of the database with its rows as text, the audit trail aside (it keeps what it holds). */
async function dump(t: TestApp): Promise<Map<string, string>> {
  const mysql = isMysql(t.dataSource);
  const tables: Array<{ name: string }> = mysql
    ? await t.dataSource.query('SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()')
    : await t.dataSource.query("SELECT name FROM sqlite_master WHERE type = 'table'");
  const out = new Map<string, string>();
  for (const { name } of tables) {
    if (name === 'audit_logs') continue;
    const rows: unknown[] = await t.dataSource.query(mysql ? `SELECT * FROM \`${name}\`` : `SELECT * FROM "${name}"`);
    out.set(
      name,
      JSON.stringify(rows, (_key, value: unknown) =>
        Buffer.isBuffer(value) ? value.toString('latin1') : typeof value === 'bigint' ? String(value) : value,
      ),
    );
  }
  return out;
}

describe.each(SEARCH_SETUPS.filter((setup) => setup.search !== 'scan'))('customerErase on $name', (setup) => {
  let t: TestApp;
  let a: TestTenant;
  let b: TestTenant;
  let agent: OpClient;
  let customer: string;
  let other: string;

  const erase = (who: OpClient, body: Record<string, unknown>) => who.call<CustomerEraseData>('customerErase', body);
  const keywordChats = async (keyword: string) => (await a.client.chatSearch({ keyword })).data.chats.map((chat) => chat.chatId);
  const drain = () => t.app.get(SearchIndexService).drain();

  beforeAll(async () => {
    t = await startSearchApp(setup);
    a = await t.createTenant();
    b = await t.createTenant();
    await t.easemobApps.register(a.tenantId, APPKEY, CALLBACK_SECRET);
    await t.operators.create({ tenantId: a.tenantId, username: 'kefu', role: 'agent', imUsername: AGENT_IM });
    ({ client: agent } = await t.addOperator(a, { username: 'agent-erase' }));
    const suffix = Math.random().toString(36).slice(2, 10);
    customer = `custerase${suffix}`;
    other = `custkeep${suffix}`;
  });

  afterAll(async () => {
    await t?.close();
  });

  it('refuses agents, a confirm that differs, and bad fields, erasing nothing', async () => {
    await t.importRecords(a.tenantId, [
      record({ chatId: `g${customer}`, from: customer, to: AGENT_IM, timestamp: RECENT, body: { type: 'txt', msg: '还在' } }),
    ]);
    expect(await erase(agent, { customerId: customer, confirm: customer })).toMatchObject({
      status: 403,
      envelope: { code: 403, message: 'customerErase 只允许管理员（admin）调用', data: null },
    });
    expect((await erase(a.client, { customerId: customer, confirm: `${customer}x` })).envelope).toMatchObject({
      code: 400,
      message: 'confirm 必须与 customerId 完全相同',
    });
    expect((await erase(a.client, { customerId: customer })).envelope).toMatchObject({
      code: 400,
      message: 'confirm 不能为空（再次填写 customerId）',
    });
    // MariaDB's collation takes 'x ' for 'x' when it deletes, while the journal and the
    // erasure record go by the name as given: a padded name would erase the chats and let the
    // customer's journalled callbacks come back. Refused on every engine, as every id is.
    for (const padded of [`${customer} `, ` ${customer}`, `${customer}\t`]) {
      expect((await erase(a.client, { customerId: padded, confirm: padded })).envelope).toMatchObject({
        code: 400,
        message: 'customerId 首尾不能有空白字符',
      });
    }
    expect((await erase(a.client, { customerId: 7, confirm: 7 })).envelope).toMatchObject({
      code: 400,
      message: 'customerId 必须是字符串',
    });
    // Another tenant's admin finds nothing of this customer to erase.
    expect((await erase(b.client, { customerId: customer, confirm: customer })).envelope.data).toEqual({
      customerId: customer,
      chats: 0,
      messages: 0,
      marks: 0,
      favorites: 0,
    });
    expect((await a.client.chatMessageList({ chatId: `g${customer}` })).data.msg).toHaveLength(1);
    await erase(a.client, { customerId: customer, confirm: customer }); // clean slate for the next test
  });

  it('deletes every chat, message, mark, favorite and index entry of the customer and leaves no trace', async () => {
    // Two ended chats and an open one (the callbacks' chat) for the customer; one chat of another.
    await t.importRecords(a.tenantId, [
      ...SECRET_TEXTS.map((msg, i) =>
        record({ chatId: `x1${customer}`, from: customer, to: AGENT_IM, timestamp: RECENT + i * 1000, body: { type: 'txt', msg } }),
      ),
      record({
        chatId: `x1${customer}`,
        from: AGENT_IM,
        to: customer,
        timestamp: RECENT + 5000,
        body: { type: 'img', url: 'https://a1.easemob.com/x/chatfiles/1', filename: `${customer}.jpg` },
      }),
      record({
        chatId: `x2${customer}`,
        from: customer,
        to: AGENT_IM,
        timestamp: RECENT + 9000,
        body: { type: 'loc', addr: '幸福路七号', lat: 39.9, lng: 116.4 },
        chatStatus: 3,
      }),
      record({ chatId: `k1${other}`, from: other, to: AGENT_IM, timestamp: RECENT, body: { type: 'txt', msg: KEPT_TEXTS[0] } }),
    ]);
    const live = await postCallback(
      t.baseUrl,
      callbackBody({ from: customer, to: AGENT_IM, body: { type: 'txt', msg: '实时消息也要删除' } }),
    );
    expect(outcome(live)).toBe('stored');
    const x1 = (await a.client.chatMessageList({ chatId: `x1${customer}`, pageSize: 100 })).data.msg;
    for (const message of x1.slice(0, 2)) {
      await a.client.messageMarkAdd({ messageId: message.userMessageId, mark: '投诉' });
      await a.client.messageFavoriteAdd({ messageId: message.userMessageId });
    }
    const kept = (await a.client.chatMessageList({ chatId: `k1${other}` })).data.msg[0];
    await a.client.messageMarkAdd({ messageId: kept.userMessageId, mark: '投诉' });
    await a.client.messageFavoriteAdd({ messageId: kept.userMessageId });
    await drain();
    expect(await keywordChats('幸福路')).toEqual([`x1${customer}`]);
    expect(await keywordChats('实时消息')).toHaveLength(1);
    const auditBefore = (await a.client.auditList({ pageSize: 100 })).data.records;

    const { status, envelope } = await erase(a.client, { customerId: customer, confirm: customer });
    expect(status).toBe(200);
    expect(envelope.data).toEqual({ customerId: customer, chats: 2, messages: 6, marks: 2, favorites: 2 });
    await drain();

    // Nothing of the customer remains, in any table or index.
    const tables = await dump(t);
    for (const [name, rows] of tables) {
      for (const needle of [customer, ...SECRET_TEXTS, '实时消息也要删除', '幸福路七号']) {
        if (rows.includes(needle)) throw new Error(`table ${name} still holds ${needle}`);
      }
    }
    expect([...tables.values()].join('')).toContain(other);
    for (const keyword of ['幸福路', '甲乙丙', 'hyperlink', '实时消息', '🍣']) expect(await keywordChats(keyword)).toEqual([]);
    expect(await keywordChats('保留')).toEqual([`k1${other}`]);
    expect((await a.client.chatSearch({ customerId: customer })).data.chats).toEqual([]);
    expect((await a.client.call('chatDetail', { chatId: `x1${customer}` })).status).toBe(404);
    expect((await a.client.favoriteList()).data.favorites.map((f) => f.message.userMessageId)).toEqual([kept.userMessageId]);
    expect((await a.client.markList()).data.marks).toEqual([{ mark: '投诉', count: 1 }]);
    const index = t.app.get(SearchIndexService);
    const verify = await index.verify(a.tenantId, 10);
    expect(verify).toMatchObject({ ok: true, tenants: [{ stored: 1, indexed: 1, queued: 0 }] });

    // The audit trail lost nothing and gained one record of the erasure, naming the customer only by digest.
    const auditAfter = (await a.client.auditList({ pageSize: 100 })).data.records;
    const keyOf = (r: AuditListData['records'][number]) => JSON.stringify([r.time, r.action, r.chatId, r.target]);
    const afterKeys = new Set(auditAfter.map(keyOf));
    for (const before of auditBefore) expect(afterKeys.has(keyOf(before))).toBe(true);
    const erasures = auditAfter.filter((r) => r.action === 'customerErase' && r.target.messages === 6);
    expect(erasures).toEqual([
      expect.objectContaining({
        operatorId: expect.any(String),
        chatId: null,
        target: { customerIdSha256: customerDigest(a.tenantId, customer), chats: 2, messages: 6, marks: 2, favorites: 2 },
      }),
    ]);
    expect(JSON.stringify(erasures)).not.toContain(customer);

    // Erasing again finds nothing; the customer's next message opens a new chat.
    expect((await erase(a.client, { customerId: customer, confirm: customer })).envelope.data).toMatchObject({ chats: 0, messages: 0 });
    expect(
      outcome(await postCallback(t.baseUrl, callbackBody({ from: customer, to: AGENT_IM, body: { type: 'txt', msg: '删除之后' } }))),
    ).toBe('stored');
    const after = (await a.client.chatSearch({ customerId: customer })).data.chats;
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ statusCode: 1, messageCount: 1 });
    expect([`x1${customer}`, `x2${customer}`]).not.toContain(after[0].chatId);
  });

  it('keeps erased messages erased: a re-import, an export routed again, a redelivery, the callback journal', async () => {
    const gone = `${customer}gone`;
    const kept = `${customer}kept`;
    const session = [0, 1].map((i) =>
      record({ chatId: `s1${gone}`, from: gone, to: AGENT_IM, timestamp: RECENT + i, body: { type: 'txt', msg: `会话记录 ${i}` } }),
    );
    // Easemob's hourly export names no chat: routed like callbacks.
    const exported = [0, 1].map((i) => {
      const { chatId: _chatId, ...line } = record({
        chatId: '-',
        from: gone,
        to: AGENT_IM,
        timestamp: RECENT + 10 + i,
        body: { type: 'txt', msg: `导出记录 ${i}` },
      });
      return line;
    });
    expect(await t.importRecords(a.tenantId, [...session, ...exported])).toMatchObject({ imported: 4, failed: 0 });

    // Journals on this machine: a folder of another process (no owner: never adopted here) whose
    // first two entries are stored (its offset) and whose third still waits; one entry set aside.
    // And a callback journalled before the erasure, which a drain reads after it.
    const journalled = {
      t: Date.now(),
      tenant: a.tenantId,
      callId: 'c-journalled',
      body: callbackBody({ from: gone, to: AGENT_IM, body: { type: 'txt', msg: '暂存中的消息' } }),
    };
    const spoolDir = t.app.get<AppConfig>(APP_CONFIG).spool.dir;
    const folder = join(spoolDir, 'other-host-1-x');
    mkdirSync(folder, { recursive: true });
    const entry = (from: string, msg: string, t = RECENT) =>
      encodeEntry({
        t,
        tenant: a.tenantId,
        callId: `c-${msg}`,
        body: { from, to: AGENT_IM, msg_id: `hx-${msg}`, payload: { bodies: [{ type: 'txt', msg }] } },
      });
    // The fourth arrives after the erasure (its receive time is later): a new message, kept.
    const lines = [
      entry(gone, '已入库的秘密'),
      entry(kept, '别人的已入库'),
      entry(gone, '仍在等待'),
      entry(gone, '删除后收到', Date.now() + 60_000),
    ];
    writeFileSync(join(folder, '000000000001.seg'), Buffer.concat(lines));
    writeFileSync(join(folder, '000000000001.off'), String(lines[0].length + lines[1].length));
    const rejected = join(spoolDir, 'rejected.jsonl');
    writeFileSync(
      rejected,
      [gone, kept]
        .map((from) => `${JSON.stringify({ time: RECENT, reason: '400', line: entry(from, `搁置的 ${from}`).toString().trimEnd() })}\n`)
        .join(''),
      { flag: 'a' },
    );
    const sizes = [statSync(join(folder, '000000000001.seg')).size, statSync(rejected).size];

    expect((await erase(a.client, { customerId: gone, confirm: gone })).envelope.data).toMatchObject({ chats: 2, messages: 4 });

    // Importing the same records again, or routing the export again (reconcile's path), stores none.
    expect(await t.importRecords(a.tenantId, [...session, ...exported])).toMatchObject({ imported: 0, duplicates: 4, failed: 0 });
    const router = t.app.get(MessageRouter);
    const [again] = exported;
    const routed = parseImportLine(JSON.stringify(again));
    if (routed.kind !== 'routed') throw new Error('an export line is routed');
    const redelivered = await router.deliver(a.tenantId, routed.message);
    expect(redelivered).toBe('known');
    expect((await a.client.chatSearch({ customerId: gone })).data.chats).toEqual([]);
    // The journalled callback is not stored when drained: it went with the erasure.
    expect(await t.app.get(EasemobCallbackService).storeSpooled([journalled])).toEqual([{ ok: true, value: 'ignored' }]);
    expect((await a.client.chatSearch({ customerId: gone })).data.chats).toEqual([]);
    // Nor does a reconciliation bring back what the journal held: the ids of the blanked and
    // the dropped entries are remembered as erased.
    const fromExport = (msgId: string) => {
      const { chatId: _chatId, ...line } = record({
        chatId: '-',
        msgId,
        from: gone,
        to: AGENT_IM,
        timestamp: RECENT,
        body: { type: 'txt', msg: '导出' },
      });
      return line;
    };
    expect(await t.importRecords(a.tenantId, [fromExport('hx-仍在等待'), fromExport(String(journalled.body.msg_id))])).toMatchObject({
      imported: 0,
      duplicates: 2,
    });
    // A message the customer sends afterwards is new: it is stored, in a new chat.
    expect(
      await t.importRecords(a.tenantId, [
        record({ chatId: `s2${gone}`, from: gone, to: AGENT_IM, timestamp: Date.now(), body: { type: 'txt', msg: '之后的新消息' } }),
      ]),
    ).toMatchObject({ imported: 1 });

    // On disk: the customer's entries, stored, waiting or set aside, are blanked in place;
    // another customer's are as they were.
    const segment = readFileSync(join(folder, '000000000001.seg'), 'utf8');
    const afterRejected = readFileSync(rejected, 'utf8');
    expect([statSync(join(folder, '000000000001.seg')).size, statSync(rejected).size]).toEqual(sizes);
    expect(segment).not.toContain('已入库的秘密');
    expect(segment).toContain('别人的已入库');
    expect(segment).not.toContain('仍在等待');
    expect(segment.split('\n')[2]).toMatch(/^# +$/);
    expect(segment).toContain('删除后收到');
    expect(afterRejected).not.toContain(`搁置的 ${gone}`);
    expect(afterRejected).toContain(`搁置的 ${kept}`);
    expect(segment.split('\n')[0]).toMatch(/^# +$/);
  });

  it('is safe while callbacks of the customer arrive: they land in a new chat, none in an erased one, none lost', async () => {
    const busy = `${customer}busy`;
    const early = Array.from({ length: 1500 }, (_, i) =>
      record({
        chatId: `b1${busy}`,
        from: busy,
        to: AGENT_IM,
        timestamp: RECENT + i,
        body: { type: 'txt', msg: `早先的消息 ${i}` },
        chatStatus: 3,
      }),
    );
    await t.importRecords(a.tenantId, early);
    const oldChats = [`b1${busy}`];
    const sent = 30;
    const erasing = erase(a.client, { customerId: busy, confirm: busy });
    const answers = await Promise.all(
      Array.from({ length: sent }, async (_, i) => {
        await new Promise((resolve) => setTimeout(resolve, i * 15));
        return postCallback(t.baseUrl, callbackBody({ from: busy, to: AGENT_IM, body: { type: 'txt', msg: `删除期间 ${i}` } }));
      }),
    );
    const result = await erasing;
    expect(answers.map(outcome)).toEqual(Array(sent).fill('stored'));
    const erased = result.envelope.data!;
    expect(erased.chats).toBe(1);
    // Callbacks that joined the old chat before it was freed were erased with it; every other one is in a new chat.
    const joinedOld = erased.messages - early.length;
    expect(joinedOld).toBeGreaterThanOrEqual(0);
    const now: Array<{ chat_id: string; n: number | string }> = await t.dataSource.query(
      'SELECT m.chat_id, COUNT(*) AS n FROM messages m WHERE m.tenant_id = ? AND m.chat_id IN (SELECT id FROM chats WHERE tenant_id = ? AND customer_id = ?) GROUP BY m.chat_id',
      [a.tenantId, a.tenantId, busy],
    );
    expect(now.map((row) => row.chat_id).filter((id) => oldChats.includes(id))).toEqual([]);
    expect(now.reduce((sum, row) => sum + Number(row.n), 0) + joinedOld).toBe(sent);
    // No message is left in a chat that no longer exists, and every chat's count is its rows.
    const orphans: unknown[] = await t.dataSource.query(
      'SELECT m.id FROM messages m LEFT JOIN chats c ON c.tenant_id = m.tenant_id AND c.id = m.chat_id WHERE c.id IS NULL',
    );
    expect(orphans).toEqual([]);
    const counts: Array<{ message_count: number | string; n: number | string }> = await t.dataSource.query(
      // A join: MariaDB Spider (10.11.19) answered the correlated subquery this used with 0 here.
      'SELECT c.message_count, COUNT(m.id) AS n FROM chats c LEFT JOIN messages m ON m.tenant_id = c.tenant_id AND m.chat_id = c.id ' +
        'WHERE c.tenant_id = ? AND c.customer_id = ? GROUP BY c.id, c.message_count',
      [a.tenantId, busy],
    );
    for (const row of counts) expect(Number(row.message_count)).toBe(Number(row.n));
    const open: Array<{ chat_id: string }> = await t.dataSource.query(
      'SELECT chat_id FROM chat_open WHERE tenant_id = ? AND customer_id = ?',
      [a.tenantId, busy],
    );
    expect(open).toHaveLength(sent - joinedOld > 0 ? 1 : 0);
    await drain();
    const search: ChatSearchData = (await a.client.chatSearch({ keyword: '早先的消息' })).data;
    expect(search.chats).toEqual([]);
  });
});
