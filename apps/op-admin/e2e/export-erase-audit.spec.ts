// Export, print, erasure and the audit page in Chromium: the real API on SQLite, the built
// panel, downloads read from disk. It asserts what a person gets in their hands.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Download, Page } from 'playwright-core';
import { UTF8_BOM, type ChatCreateResult, type ChatInfo, type ChatMessage } from '@op/contracts';
import { record, startTestApp, type TestApp, type TestTenant } from 'op-api/testing';
import { SCREENSHOTS, launchChromium, startPanel, type Panel } from './panel-harness';

const HOUR = 3600_000;
const FORMULA = '=HYPERLINK("http://evil.example/","点我")';

describe('export, print, erase and audit in Chromium', () => {
  let api: TestApp;
  let tenant: TestTenant;
  let panel: Panel;
  let browser: Browser;
  let chat: ChatInfo;
  let other: ChatInfo;
  let messages: ChatMessage[];
  let boss: Page;

  beforeAll(async () => {
    api = await startTestApp('sqlite', { OP_RETENTION_SCHEDULE: 'off' });
    tenant = await api.createTenant({ role: 'admin' });
    const { tenantId } = tenant;
    await api.operators.create({ tenantId, username: 'boss', password: 'boss-password', role: 'admin' });
    const bob = await api.operators.create({ tenantId, username: 'bob', password: 'bob-password', role: 'agent', imUsername: 'bob-im' });
    const panelClient = await api.clients.create(tenantId, 'hmac-sha256', { panel: true });
    const create = async (customerId: string) =>
      (await tenant.client.expect<ChatCreateResult>('chatCreate', { customerId, operatorId: bob.operatorId })).data!;
    const t0 = Date.now() - 48 * HOUR;
    chat = await create('cust-export');
    const at = (n: number) => ({ chatId: chat.chatId, timestamp: t0 + n * 60_000 });
    const fromCustomer = { from: 'cust-export', to: 'bob-im' };
    const fromAgent = { from: 'bob-im', to: 'cust-export' };
    await api.importRecords(tenantId, [
      record({ ...at(0), ...fromCustomer, body: { type: 'txt', msg: '你好，我要退款 🙏😀' } }),
      record({ ...at(1), ...fromCustomer, body: { type: 'txt', msg: FORMULA } }),
      record({ ...at(2), ...fromCustomer, body: { type: 'txt', msg: '<b>不是粗体</b>\n第二行' } }),
      record({
        ...at(3),
        ...fromCustomer,
        body: { type: 'img', url: 'https://a1.easemob.com/x/chatfiles/full.jpg', filename: '截图.jpg' },
      }),
      record({ ...at(4), ...fromCustomer, body: { type: 'audio', url: 'https://a1.easemob.com/x/chatfiles/v.amr', length: 12 } }),
      record({
        ...at(5),
        ...fromAgent,
        body: { type: 'video', url: 'https://a1.easemob.com/x/chatfiles/v.mp4', length: 65, file_length: 2097152 },
      }),
      record({ ...at(6), ...fromCustomer, body: { type: 'loc', addr: '上海市浦东新区世纪大道 100 号', lat: 31.2397, lng: 121.4998 } }),
      record({
        ...at(7),
        ...fromAgent,
        body: { type: 'file', url: 'https://a1.easemob.com/x/chatfiles/f', filename: '报价单.xlsx', file_length: 1572864 },
      }),
      record({ ...at(8), ...fromAgent, body: { type: 'cmd', action: 'typing' } }),
      record({ ...at(9), ...fromAgent, body: { type: 'custom', customEvent: 'order_card' } }),
      record({ ...at(10), ...fromAgent, body: { type: 'txt', msg: '好的，已为您处理' } }),
    ]);
    messages = [];
    for (let pageNum = 1; ; pageNum++) {
      const { data, page } = await tenant.client.chatMessageList({ chatId: chat.chatId, pageNum, pageSize: 100, needMark: true });
      messages.push(...data.msg);
      if (!page.next) break;
    }
    await tenant.client.messageMarkAdd({ messageId: messages[1].userMessageId, mark: '可疑链接' });
    messages[1].mark = ['可疑链接'];
    other = await create('cust-other');
    await api.importRecords(tenantId, [
      record({ chatId: other.chatId, timestamp: t0, from: 'cust-other', to: 'bob-im', body: { type: 'txt', msg: '别删我' } }),
    ]);

    panel = await startPanel({
      OP_ADMIN_API_URL: api.baseUrl,
      OP_ADMIN_CLIENT_ID: panelClient.clientId,
      OP_ADMIN_CLIENT_SECRET: panelClient.secret,
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await panel?.stop();
    await api?.close();
  });

  async function signIn(username: string, password: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN', acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(`${panel.url}/login`);
    await page.getByLabel('用户名').fill(username);
    await page.getByLabel('密码').fill(password);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(`${panel.url}/`);
    return page;
  }

  async function download(page: Page, format: string): Promise<{ file: Download; text: string }> {
    // The menu stays open after a download: open it only when it is closed.
    const link = page.getByTestId(`export-${format}`);
    if (!(await link.isVisible())) await page.getByText('导出会话记录').click();
    const [file] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const path = await file.path();
    return { file, text: readFileSync(path, 'utf8') };
  }

  it('downloads the session as jsonl, csv and html, each holding every message', async () => {
    boss = await signIn('boss', 'boss-password');
    await boss.goto(`${panel.url}/chats/${chat.chatId}`);
    await boss.getByTestId('export-menu').waitFor();
    await boss.screenshot({ path: join(SCREENSHOTS, 'export-menu.png') });
    // Escape closes the menu, focus back on its button, as a menu does (once the page's script listens).
    await boss.locator('[data-testid="message-tools"][data-ready="true"]').first().waitFor();
    const menu = boss.getByTestId('export-menu').locator('details');
    await menu.locator('summary').click();
    await boss.getByTestId('export-csv').focus();
    await boss.keyboard.press('Escape');
    await expect(menu.evaluate((details: HTMLDetailsElement) => details.open)).resolves.toBe(false);
    await expect(boss.evaluate(() => document.activeElement?.tagName)).resolves.toBe('SUMMARY');

    const jsonl = await download(boss, 'jsonl');
    expect(jsonl.file.suggestedFilename()).toBe(`${chat.chatId}.jsonl`);
    const lines = jsonl.text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as ChatMessage);
    expect(lines).toEqual(messages);
    expect(lines.map((m) => m.type)).toEqual(['txt', 'txt', 'txt', 'img', 'audio', 'video', 'loc', 'file', 'cmd', 'custom', 'txt']);

    const csv = await download(boss, 'csv');
    expect(csv.file.suggestedFilename()).toBe(`${chat.chatId}.csv`);
    expect(csv.text.startsWith(UTF8_BOM)).toBe(true);
    expect(csv.text).toContain('你好，我要退款 🙏😀');
    expect(csv.text).toContain(`"'=HYPERLINK(""http://evil.example/"",""点我"")"`);
    expect(csv.text).not.toMatch(/(^|,)"?=HYPERLINK/m);
    expect(csv.text).toContain('上海市浦东新区世纪大道 100 号');
    expect(csv.text).toContain('报价单.xlsx');
    for (const message of messages) expect(csv.text).toContain(`\r\n${message.userMessageId},`);

    const html = await download(boss, 'html');
    expect(html.file.suggestedFilename()).toBe(`${chat.chatId}.html`);
    expect(html.text).toContain('&lt;b&gt;不是粗体&lt;/b&gt;');
    expect(html.text).toContain('=HYPERLINK(&quot;http://evil.example/&quot;,&quot;点我&quot;)');
    for (const words of [
      '你好，我要退款 🙏😀',
      '[图片] <bdi>截图.jpg</bdi>',
      '[语音] 12 秒',
      '[视频] 65 秒 2 MB',
      '[位置] <bdi>上海市浦东新区世纪大道 100 号</bdi>',
      '[文件] <bdi>报价单.xlsx</bdi> 1.5 MB',
      '[指令消息] typing',
      '[自定义消息] order_card',
      '标记：可疑链接',
      `共 ${messages.length} 条消息`,
    ]) {
      expect(html.text).toContain(words);
    }
  });

  it('opens a print view that is the transcript as a page, loading nothing else', async () => {
    const requests: string[] = [];
    boss.context().on('request', (request) => requests.push(request.url()));
    const [print] = await Promise.all([boss.context().waitForEvent('page'), boss.getByTestId('print-view').click()]);
    await print.waitForLoadState('load');
    await expect(print.title()).resolves.toBe(`会话记录 ${chat.chatId}`);
    const text = await print.locator('body').innerText();
    expect(text).toContain('你好，我要退款 🙏😀');
    expect(text).toContain('<b>不是粗体</b>');
    expect(text).toContain(FORMULA);
    expect(text).toContain(`共 ${messages.length} 条消息`);
    await expect(print.locator('section.message').count()).resolves.toBe(messages.length);
    // The page brings no image, script or style from elsewhere.
    expect(requests.filter((url) => !url.startsWith(panel.url))).toEqual([]);
    const pdf = await print.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    await print.screenshot({ path: join(SCREENSHOTS, 'print-view.png'), fullPage: true });
    await print.close();
  });

  it('sends a signed-out browser from an export link to sign-in at the address it used, then back to the chat', async () => {
    // The redirect was made absolute from the server's own address (http://localhost:<port>),
    // a dead link behind a proxy, and it dropped the page to come back to.
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${panel.url}/chats/${chat.chatId}/export?format=csv`);
    await page.waitForURL(`${panel.url}/login?next=${encodeURIComponent(`/chats/${chat.chatId}`)}`);
    await context.close();
  });

  it('erases a customer only after the id is typed again, then the session is gone', async () => {
    await boss.goto(`${panel.url}/chats/${chat.chatId}`);
    await boss.getByTestId('erase-link').click();
    await boss.waitForURL(/\/customers\/erase\?customerId=cust-export/);
    await expect(boss.getByLabel('客户 ID', { exact: true }).inputValue()).resolves.toBe('cust-export');
    const button = boss.getByRole('button', { name: '永久删除该客户的全部数据' });
    await expect(button.isDisabled()).resolves.toBe(true);
    await boss.getByLabel('请再次输入客户 ID 以确认删除').fill('cust-expor');
    await expect(button.isDisabled()).resolves.toBe(true);
    await boss.getByLabel('请再次输入客户 ID 以确认删除').fill('cust-export');
    await expect(button.isDisabled()).resolves.toBe(false);
    await boss.screenshot({ path: join(SCREENSHOTS, 'erase.png') });
    await button.click();
    await expect(boss.getByTestId('erase-done').textContent()).resolves.toBe(
      `已删除客户 cust-export 的 1 个会话、${messages.length} 条消息、1 个标记、0 个收藏。`,
    );
    // Not left armed for a second erasure nobody typed again.
    await expect(boss.getByLabel('请再次输入客户 ID 以确认删除').inputValue()).resolves.toBe('');
    await expect(button.isDisabled()).resolves.toBe(true);
    // A mistyped id erased nothing: said so, not as a success.
    await boss.getByLabel('客户 ID', { exact: true }).fill('cust-exprot');
    await boss.getByLabel('请再次输入客户 ID 以确认删除').fill('cust-exprot');
    await button.click();
    await expect(boss.getByTestId('erase-nothing').textContent()).resolves.toBe(
      '没有找到客户 cust-exprot 的会话或消息：没有删除任何内容，请检查客户 ID。',
    );
    await expect(boss.getByTestId('erase-done').count()).resolves.toBe(0);
    await boss.goto(`${panel.url}/chats/${chat.chatId}`);
    await expect(boss.getByTestId('forbidden').locator('h1').textContent()).resolves.toBe('会话不存在');
    await boss.goto(`${panel.url}/chats/${other.chatId}`);
    await expect(boss.getByTestId('message').count()).resolves.toBe(1);

    // An agent has neither the page nor the link.
    const bob = await signIn('bob', 'bob-password');
    await bob.goto(`${panel.url}/customers/erase`);
    await bob.getByTestId('forbidden').waitFor();
    await bob.goto(`${panel.url}/chats/${other.chatId}`);
    await bob.getByTestId('export-menu').waitFor();
    await expect(bob.getByTestId('erase-link').count()).resolves.toBe(0);
    await bob.context().close();
  });

  it('shows the audit trail in Chinese with links to chats, and exports it as CSV', async () => {
    // A search's filters are shown by the form's names, its statuses by theirs.
    await boss.goto(`${panel.url}/?status=3&status=30&createdFrom=2026-01-01&sort=lastMessageTime`);
    await boss.getByTestId('pager').or(boss.getByTestId('empty')).first().waitFor();
    const searched = boss.getByTestId('audit-row').filter({ hasText: '2026-01-01 00:00:00' });
    // The API writes its audit buffer about once a second: reload until the record is there.
    for (let attempt = 0; attempt < 50; attempt++) {
      await boss.goto(`${panel.url}/audit?action=chatSearch`);
      if ((await searched.count()) > 0) break;
      await boss.waitForTimeout(200);
    }
    await expect(searched.count()).resolves.toBe(1);
    await expect(searched.textContent()).resolves.toContain('状态聊天中、挂起');
    await expect(searched.textContent()).resolves.toContain('创建时间（从）2026-01-01 00:00:00');
    await expect(searched.textContent()).resolves.toContain('排序最近活动');

    await boss.goto(`${panel.url}/audit`);
    const rows = boss.getByTestId('audit-row');
    await rows.first().waitFor();
    const actions = await boss.getByTestId('audit-action').allTextContents();
    expect(actions).toEqual(expect.arrayContaining(['删除客户数据', '导出会话记录', '添加标记', '查看会话消息']));
    // Two erasures, newest first: the mistyped id's (nothing erased), then cust-export's.
    await expect(rows.filter({ hasText: '删除客户数据' }).count()).resolves.toBe(2);
    const erase = rows.filter({ hasText: '删除客户数据' }).last();
    await expect(erase.textContent()).resolves.toContain(`消息数${messages.length}`);
    await expect(erase.textContent()).resolves.not.toContain('cust-export');
    const exported = rows.filter({ hasText: '导出会话记录' }).first();
    await expect(exported.getByRole('link', { name: chat.chatId }).getAttribute('href')).resolves.toBe(`/chats/${chat.chatId}`);
    await expect(exported.textContent()).resolves.toMatch(/格式(jsonl|csv|html)/);
    await boss.locator('select[name="action"]').selectOption({ label: '导出会话记录' });
    await boss.getByRole('button', { name: '查询' }).click();
    // The empty fields the form sent are dropped from the address (a redirect): wait for it.
    await boss.waitForURL(`${panel.url}/audit?action=chatExport`);
    await expect(boss.getByTestId('audit-action').allTextContents()).resolves.toEqual(Array(4).fill('导出会话记录')); // three downloads and the print view
    await boss.screenshot({ path: join(SCREENSHOTS, 'audit.png'), fullPage: true });

    await boss.goto(`${panel.url}/audit`);
    const form = boss.getByTestId('audit-export');
    // Without its range the export is not sent (it left the page for a bare error page).
    await form.getByRole('button', { name: '导出 CSV' }).click();
    await expect(form.getByLabel('导出时间 从').evaluate((input: HTMLInputElement) => input.validity.valueMissing)).resolves.toBe(true);
    expect(boss.url()).toBe(`${panel.url}/audit`);
    await form.getByLabel('导出时间 从').fill('2000-01-01T00:00:00');
    await form.getByLabel('导出时间 到').fill('2100-01-01T00:00:00');
    const [file] = await Promise.all([boss.waitForEvent('download'), form.getByRole('button', { name: '导出 CSV' }).click()]);
    expect(file.suggestedFilename()).toBe('audit-2000-01-01-2100-01-01.csv');
    const csv = readFileSync(await file.path(), 'utf8');
    expect(csv.startsWith(UTF8_BOM)).toBe(true);
    expect(csv.slice(1).split('\r\n')[0]).toBe('time,operatorId,clientId,action,actionLabel,chatId,target,ip');
    const rowsOut = csv.slice(1).trimEnd().split('\r\n').slice(1);
    expect(rowsOut.filter((row) => row.includes(',chatExport,导出会话记录,'))).toHaveLength(4);
    expect(rowsOut.some((row) => row.includes(',customerErase,删除客户数据,'))).toBe(true);

    // A range the API refuses: its message in the form's words, and a way back to the log.
    await boss.goto(`${panel.url}/audit`);
    await form.getByLabel('导出时间 从').fill('2100-01-01T00:00:00');
    await form.getByLabel('导出时间 到').fill('2000-01-01T00:00:00');
    await form.getByRole('button', { name: '导出 CSV' }).click();
    await expect(boss.getByTestId('download-error').textContent()).resolves.toBe('时间（从） 不能晚于 时间（到）');
    await boss.getByRole('link', { name: '返回审计日志' }).click();
    await boss.waitForURL(`${panel.url}/audit`);
    // A chat's export the same way, back to the chat.
    await boss.goto(`${panel.url}/chats/${encodeURIComponent(chat.chatId)}/export?format=pdf`);
    await expect(boss.getByTestId('download-error').textContent()).resolves.toBe('格式 只能是 jsonl、csv、html');
    await expect(boss.getByRole('link', { name: '返回会话' }).getAttribute('href')).resolves.toBe(
      `/chats/${encodeURIComponent(chat.chatId)}`,
    );
  });
});
