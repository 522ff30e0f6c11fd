// Find in a chat, and the keyword search's count and window, end to end: the real API
// (in-process, SQLite) with OP_SEARCH_TOTAL_CAP=3 so a small data set passes the cap, the real
// built panel, Debian's Chromium at a desktop and a phone width. It asserts what a person sees.
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { record, startTestApp, type TestApp } from 'op-api/testing';
import { SCREENSHOTS, launchChromium, startPanel, type Panel } from './panel-harness';

const MINUTE = 60_000;
const DAY = 24 * 3600_000;
/** 2025-01-10 10:00:00 in Asia/Shanghai, the API's zone here. */
const BASE = Date.UTC(2025, 0, 10, 2, 0, 0);
const CAP = 3;

/** The long chat: 130 messages, seven pages of 20 (the last holds 10). */
const LONG_CHAT = 'u0003000000000000000000000000000001';
const LONG_LENGTH = 130;
/** Its messages holding 退款, in chat order: 18 holds it twice, 88 and 89 share one second. */
const MATCHES = [3, 18, 19, 47, 88, 89, 129];
const FOLDED = 60;
/** Chats holding 发票, one a day before BASE: more than the cap. */
const INVOICE_CHATS = 25;
const invoiceChat = (i: number) => `u0004${String(i).padStart(30, '0')}`;

function longText(n: number): string {
  if (n === 18) return '消息 18：退款申请已提交，退款将原路返回';
  if (MATCHES.includes(n)) return `消息 ${n}：关于退款的问题`;
  if (n === FOLDED) return '消息 60：REFUND 与 ｒｅｆｕｎｄ 是一回事';
  return `消息 ${n}`;
}

/** A chat whose middle message is a text of 17,502 characters (52 KiB, near the store's 64) ending in 尾注, its one match. */
const TALL_CHAT = 'u0005000000000000000000000000000001';
const TALL_TEXT = `${'长消息的正文，'.repeat(2_500)}尾注`;

/** The page of 20 that holds message n (1-based). */
const pageOf = (n: number) => Math.ceil(n / 20);

const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
];

describe('find in a chat and the keyword search, in Chromium', () => {
  let api: TestApp;
  let panel: Panel;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    api = await startTestApp('sqlite', { OP_SEARCH_TOTAL_CAP: String(CAP) });
    expect(api.config.timezone).toBe('Asia/Shanghai');
    const tenant = await api.createTenant({ role: 'admin' });
    const { tenantId } = tenant;
    await api.operators.create({ tenantId, username: 'boss', password: 'boss-password', role: 'admin' });
    const panelClient = await api.clients.create(tenantId);

    await api.importRecords(
      tenantId,
      Array.from({ length: LONG_LENGTH }, (_, i) => {
        const n = i + 1;
        return record({
          chatId: LONG_CHAT,
          // 89 in the same second as 88: placed after it by id, as the chat orders them.
          timestamp: BASE + (n === 89 ? 88 : n) * MINUTE,
          from: n % 2 === 1 ? 'cust-long' : 'agent-im',
          to: n % 2 === 1 ? 'agent-im' : 'cust-long',
          body: { type: 'txt', msg: longText(n) },
        });
      }),
    );
    await api.importRecords(
      tenantId,
      Array.from({ length: INVOICE_CHATS }, (_, i) =>
        record({
          chatId: invoiceChat(i + 1),
          timestamp: BASE - (i + 1) * DAY,
          from: `cust-${i + 1}`,
          to: 'agent-im',
          body: { type: 'txt', msg: '请帮我开发票' },
        }),
      ),
    );

    await api.importRecords(
      tenantId,
      ['前一条', TALL_TEXT, '后一条'].map((msg, i) =>
        record({ chatId: TALL_CHAT, timestamp: BASE + i * MINUTE, from: 'cust-tall', to: 'agent-im', body: { type: 'txt', msg } }),
      ),
    );

    panel = await startPanel({
      OP_ADMIN_API_URL: api.baseUrl,
      OP_ADMIN_CLIENT_ID: panelClient.clientId,
      OP_ADMIN_CLIENT_SECRET: panelClient.secret,
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await Promise.all(contexts.map((context) => context.close()));
    await browser?.close();
    await panel?.stop();
    await api?.close();
  });

  describe.each(VIEWPORTS)('at $width px', (viewport) => {
    let page: Page;

    beforeAll(async () => {
      const context = await browser.newContext({ viewport: { width: viewport.width, height: viewport.height }, locale: 'zh-CN' });
      contexts.push(context);
      page = await context.newPage();
      await page.goto(`${panel.url}/login`);
      await page.getByLabel('用户名').fill('boss');
      await page.getByLabel('密码').fill('boss-password');
      await page.getByRole('button', { name: '登录' }).click();
      await page.waitForURL(`${panel.url}/`);
      await page.getByRole('heading', { name: '会话搜索' }).waitFor();
    });

    const findBox = () => page.getByRole('searchbox', { name: '在此会话中查找' });
    const count = () => page.getByTestId('find-count');
    const current = () => page.locator('[data-testid="message"][aria-current="true"]');
    const marks = () => page.getByTestId('conversation').locator('mark');

    /** Waits until the find bar shows match n of the total (the page has been drawn for it). */
    async function atMatch(n: number, total = MATCHES.length): Promise<void> {
      await count()
        .filter({ hasText: new RegExp(`^第 ${n} / ${total} 处$`) })
        .waitFor();
    }

    /** The current match is the message the person expects, on its page, marked and in view below the bar. */
    async function expectCurrent(n: number): Promise<void> {
      await expect(current().count()).resolves.toBe(1);
      await expect(current().locator('.bubble').textContent()).resolves.toBe(longText(n));
      await expect(page.getByTestId('page-info').first().textContent()).resolves.toBe(`第 ${pageOf(n)} / 7 页，共 130 条`);
      await page.waitForFunction(() => {
        const message = document.querySelector('[data-testid="message"][aria-current="true"]')?.getBoundingClientRect();
        const bar = document.querySelector('[data-testid="find-bar"]')?.getBoundingClientRect();
        return !!message && !!bar && message.top >= bar.bottom && message.bottom <= window.innerHeight;
      });
    }

    /** The texts the page marks: every match of the keyword in the messages shown. */
    function expectedMarks(keyword: string, from: number, to: number): string[] {
      const shown = Array.from({ length: to - from + 1 }, (_, i) => longText(from + i));
      return shown.flatMap((text) => text.match(new RegExp(keyword, 'g')) ?? []);
    }

    it('finds across the pages of a long chat with the buttons, highlighting every match', async () => {
      await page.goto(`${panel.url}/chats/${LONG_CHAT}`);
      await expect(page.getByTestId('find-bar').textContent()).resolves.toContain('在框内按回车到下一处，Shift+回车到上一处');
      await expect(count().count()).resolves.toBe(0);
      await findBox().fill('退款');
      await page.getByRole('button', { name: '查找', exact: true }).click();
      await atMatch(1);
      await expectCurrent(3);
      // Every match on the page is marked, 18 twice; the current message's too.
      await expect(marks().allTextContents()).resolves.toEqual(expectedMarks('退款', 1, 20));
      expect(expectedMarks('退款', 1, 20)).toHaveLength(4);
      await expect(current().locator('mark').allTextContents()).resolves.toEqual(['退款']);

      const next = page.getByRole('link', { name: '下一处' });
      const previous = page.getByRole('link', { name: '上一处' });
      await next.click();
      await atMatch(2);
      await expectCurrent(18);
      await expect(current().locator('mark').count()).resolves.toBe(2);
      await next.click();
      await atMatch(3);
      await expectCurrent(19);
      // On to the next page that holds a match.
      await next.click();
      await atMatch(4);
      await expectCurrent(47);
      await expect(marks().allTextContents()).resolves.toEqual(['退款']);
      await previous.click();
      await atMatch(3);
      await expectCurrent(19);
      for (const n of [2, 1]) {
        await previous.click();
        await atMatch(n);
      }
      // Before the first comes the last, as in a browser's find bar.
      await previous.click();
      await atMatch(7);
      await expectCurrent(129);
      await page.screenshot({ path: join(SCREENSHOTS, `find-in-chat-${viewport.name}.png`) });
    });

    it('moves with Enter and Shift+Enter in the box, and keeps the find over a reload', async () => {
      await page.goto(`${panel.url}/chats/${LONG_CHAT}`);
      await findBox().click();
      await page.keyboard.type('退款');
      await page.keyboard.press('Enter');
      await atMatch(1);
      await expectCurrent(3);
      for (const [n, message] of [
        [2, 18],
        [3, 19],
        [4, 47],
        [5, 88],
      ]) {
        await page.keyboard.press('Enter');
        await atMatch(n);
        await expectCurrent(message);
      }
      await page.keyboard.press('Shift+Enter');
      await atMatch(4);
      await expectCurrent(47);
      await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('find-keyword');

      await page.reload();
      await atMatch(4);
      await expectCurrent(47);
      await expect(findBox().inputValue()).resolves.toBe('退款');
      await expect(marks().allTextContents()).resolves.toEqual(['退款']);
      const url = new URL(page.url());
      expect(url.searchParams.get('keyword')).toBe('退款');
      expect(url.searchParams.get('hit')).toBe('4');
    });

    it('moves with the shortcuts the find bar lists: n, Shift+N, ], [ and /', async () => {
      await page.goto(`${panel.url}/chats/${LONG_CHAT}?keyword=${encodeURIComponent('退款')}&hit=1`);
      await atMatch(1);
      await page.locator('[data-testid="message-tools"][data-ready="true"]').first().waitFor(); // the page's script listens
      await expect(page.getByTestId('find-bar').textContent()).resolves.toContain('下一页 / 上一页');
      await page.keyboard.press('n');
      await atMatch(2);
      await expectCurrent(18);
      await page.keyboard.press('Shift+N');
      await atMatch(1);
      await expectCurrent(3);
      await page.keyboard.press(']');
      await page.getByTestId('page-info').first().filter({ hasText: '第 2 / 7 页' }).waitFor();
      await page.keyboard.press('[');
      await page.getByTestId('page-info').first().filter({ hasText: '第 1 / 7 页' }).waitFor();
      await page.keyboard.press('/');
      await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('find-keyword');
      // In the box, n is a letter of the keyword.
      await page.keyboard.press('End');
      await page.keyboard.type('n');
      await expect(findBox().inputValue()).resolves.toBe('退款n');
      await expect(count().textContent()).resolves.toBe('第 1 / 7 处');
    });

    it('keeps the find while paging, and highlights as the API matches (case and width folded)', async () => {
      await page.goto(`${panel.url}/chats/${LONG_CHAT}?keyword=${encodeURIComponent('退款')}&hit=4`);
      await atMatch(4);
      await page.getByRole('link', { name: '下一页' }).first().click();
      await page.getByTestId('page-info').first().filter({ hasText: '第 4 / 7 页' }).waitFor();
      await expect(count().textContent()).resolves.toBe('第 4 / 7 处');
      await expect(marks().count()).resolves.toBe(0); // page 4 holds no match
      await page.getByRole('link', { name: '下一处' }).click();
      await atMatch(5);
      await expectCurrent(88);

      await findBox().fill('Refund');
      await findBox().press('Enter');
      await atMatch(1, 1);
      await expectCurrent(FOLDED);
      await expect(current().locator('mark').allTextContents()).resolves.toEqual(['REFUND', 'ｒｅｆｕｎｄ']);
    });

    it('says clearly when the chat does not hold the keyword', async () => {
      await page.goto(`${panel.url}/chats/${LONG_CHAT}?keyword=${encodeURIComponent('退款')}&hit=2`);
      await atMatch(2);
      await findBox().fill('没有这个词');
      await findBox().press('Enter');
      await page.getByTestId('find-empty').waitFor();
      await expect(page.getByTestId('find-empty').textContent()).resolves.toBe('此会话中没有找到“没有这个词”');
      await expect(count().count()).resolves.toBe(0);
      await expect(page.getByRole('link', { name: '下一处' }).count()).resolves.toBe(0);
      await expect(page.getByRole('link', { name: '上一处' }).count()).resolves.toBe(0);
      await expect(marks().count()).resolves.toBe(0);
      // The chat is still there, from its first page.
      await expect(page.getByTestId('page-info').first().textContent()).resolves.toBe('第 1 / 7 页，共 130 条');
      await page.getByTestId('message').nth(19).waitFor();
      await expect(page.getByTestId('message').count()).resolves.toBe(20);

      await page.getByRole('link', { name: '清除' }).click();
      await page.waitForURL(`${panel.url}/chats/${LONG_CHAT}`);
      await page.getByTestId('find-empty').waitFor({ state: 'detached' });
      await expect(findBox().inputValue()).resolves.toBe('');
    });

    it('opens a search hit at its match, keyword highlighted, and finds on from there', async () => {
      await page.goto(`${panel.url}/?keyword=${encodeURIComponent('退款')}`);
      await expect(page.getByTestId('search-window').textContent()).resolves.toBe('关键词搜索范围：全部历史');
      await expect(page.getByTestId('result-total').textContent()).resolves.toBe('共 1 个会话');
      // Hits come newest first: 129, then 89 and 88 of one second.
      const hits = page.getByTestId('hit');
      await expect(hits.count()).resolves.toBe(3);
      const searchPage = page.url();
      // Each of the two messages of one second gets its own number.
      for (const [n, message] of [
        [6, 89],
        [5, 88],
      ]) {
        await page.goto(searchPage);
        // On a phone the filters fold once the page's script runs, moving the results up: a
        // click before that lands where the hit no longer is.
        await page.locator('[data-testid="filter-panel"][data-ready="true"]').waitFor({ state: 'attached' });
        await hits.filter({ hasText: `消息 ${message}：` }).click();
        await page.waitForURL(/\/chats\/.+\?around=\d+&keyword=/);
        await atMatch(n);
        await expectCurrent(message);
        await expect(page.locator('.message.highlighted .bubble').textContent()).resolves.toBe(longText(message));
        await expect(findBox().inputValue()).resolves.toBe('退款');
        await expect(marks().allTextContents()).resolves.toEqual(expectedMarks('退款', 81, 100));
      }

      await page.getByRole('link', { name: '上一处' }).click();
      await atMatch(4);
      await expectCurrent(47);
      await page.goBack();
      await atMatch(5);
      await page.getByRole('link', { name: '下一处' }).click();
      await atMatch(6);
      await expectCurrent(89);
      await page.getByRole('link', { name: '下一处' }).click();
      await atMatch(7);
      await expectCurrent(129);
    });

    it('shows a capped total without claiming a last page, and pages on', async () => {
      await page.goto(`${panel.url}/`);
      await page.getByLabel('关键词', { exact: true }).fill('发票');
      await page.getByRole('button', { name: '搜索' }).click();
      await page.waitForURL(/keyword=/);
      await expect(page.getByTestId('search-window').textContent()).resolves.toBe('关键词搜索范围：全部历史');
      await expect(page.getByTestId('result-total').textContent()).resolves.toBe(
        `共 ${CAP}+ 个会话（超过 ${CAP} 个后不再精确计数，可继续翻页）`,
      );
      const info = page.getByTestId('page-info').first();
      await expect(info.textContent()).resolves.toBe(`第 1 页，共 ${CAP}+ 条`);
      // The rows may still be arriving when the totals above are shown (a busy machine, the
      // panel streaming its page): the 20th is waited for, then no more than 20 are expected.
      await page.getByTestId('result-row').nth(19).waitFor();
      await expect(page.getByTestId('result-row').count()).resolves.toBe(20);
      await page.screenshot({ path: join(SCREENSHOTS, `search-capped-${viewport.name}.png`), fullPage: true });

      await page.getByRole('link', { name: '下一页' }).first().click();
      await info.filter({ hasText: '第 2 页' }).waitFor();
      await expect(info.textContent()).resolves.toBe(`第 2 页，共 ${CAP}+ 条`);
      await expect(page.getByTestId('result-row').count()).resolves.toBe(INVOICE_CHATS - 20);
      await expect(page.getByRole('link', { name: '下一页' }).count()).resolves.toBe(0);
    });

    it('narrows a keyword to message times and says which', async () => {
      await page.goto(`${panel.url}/`);
      await page.getByLabel('关键词', { exact: true }).fill('发票');
      // Chat 3's message is on 2025-01-07 at 10:00, chat 4's a day earlier (chat n's n days before BASE).
      // On a phone the filters are folded under 筛选 until opened.
      const filters = page.locator('[data-testid="filter-panel"][data-ready="true"]');
      if (!(await filters.evaluate((el) => (el as HTMLDetailsElement).open))) await filters.locator('summary').click();
      await page.getByLabel('消息时间 从', { exact: true }).fill('2025-01-06 09:30:30');
      await page.getByLabel('消息时间 到', { exact: true }).fill('2025-01-07 10:30:30');
      await page.getByRole('button', { name: '搜索' }).click();
      await page.waitForURL(/messageTimeFrom=/);
      await expect(page.getByTestId('search-window').textContent()).resolves.toBe(
        '关键词搜索范围：2025-01-06 09:30:30 至 2025-01-07 10:30:30',
      );
      await expect(page.getByTestId('result-total').textContent()).resolves.toBe('共 2 个会话');
      await expect(page.getByTestId('page-info').first().textContent()).resolves.toBe('第 1 / 1 页，共 2 条');
      const chats = await page.getByTestId('result-row').locator('td:first-child').allTextContents();
      expect(chats).toEqual([invoiceChat(3), invoiceChat(4)]);
      // The filters stay in the form.
      await expect(page.getByLabel('消息时间 从', { exact: true }).inputValue()).resolves.toBe('2025-01-06 09:30:30');
    });

    it('keeps a text of many screens in a bubble that scrolls, and shows its match inside it', async () => {
      await page.goto(`${panel.url}/chats/${TALL_CHAT}?keyword=${encodeURIComponent('尾注')}&hit=1`);
      await atMatch(1, 1);
      await expect(current().locator('.bubble').textContent()).resolves.toBe(TALL_TEXT);
      // The match sits at the text's end: the bubble, at most 60 % of the screen, scrolled to it.
      await page.waitForFunction(
        () => {
          const bubble = document.querySelector('[data-testid="message"][aria-current="true"] .bubble');
          const mark = bubble?.querySelector('mark')?.getBoundingClientRect();
          const box = bubble?.getBoundingClientRect();
          return (
            !!box &&
            !!mark &&
            box.height <= window.innerHeight * 0.6 + 1 &&
            mark.top >= box.top &&
            mark.bottom <= box.bottom &&
            mark.bottom <= window.innerHeight
          );
        },
        undefined,
        { timeout: 10_000 },
      );
      // The message after it is a screen away, not tens of screens.
      const next = await page.getByTestId('message').last().boundingBox();
      expect(next!.y).toBeLessThan(viewport.height * 2);
    });

    it('keeps the find bar whole and in view on this screen', async () => {
      await page.goto(`${panel.url}/chats/${LONG_CHAT}?keyword=${encodeURIComponent('退款')}&hit=5`);
      await atMatch(5);
      await expectCurrent(88);
      const controls = [
        findBox(),
        page.getByRole('button', { name: '查找', exact: true }),
        count(),
        page.getByRole('link', { name: '上一处' }),
        page.getByRole('link', { name: '下一处' }),
      ];
      for (const control of controls) {
        const box = await control.boundingBox();
        expect(box).not.toBeNull();
        expect(box!.x).toBeGreaterThanOrEqual(0);
        expect(box!.x + box!.width).toBeLessThanOrEqual(viewport.width);
        expect(box!.y).toBeGreaterThanOrEqual(0);
        expect(box!.y + box!.height).toBeLessThanOrEqual(viewport.height);
      }
    });
  });
});
