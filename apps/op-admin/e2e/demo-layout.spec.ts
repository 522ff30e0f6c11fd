// The panel over the demo a newcomer gets (`npm start` loads the same data), in Chromium at a
// phone's width and a desktop's: nothing scrolls sideways, each page names itself, and the
// rough edges a first user meets are gone. Screenshots go to test-results/screenshots.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { ChatSearchData, FavoriteListData } from '@op/contracts';
import { OpClient } from '@op/contracts/node';
import { DEMO_CHAT_ID, DEMO_LONG_CHAT_ID, seedDemo, startTestApp, type DemoCredentials, type TestApp } from 'op-api/testing';
import { SCREENSHOTS, launchChromium, startPanel, type Panel } from './panel-harness';

const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const PHONE = { name: 'phone', width: 390, height: 844 };
/** Every page of the panel over the demo: path, screenshot name, title. */
const PAGES = [
  ['/', 'search', '会话搜索'],
  [`/?keyword=${encodeURIComponent('退款')}`, 'search-refund', '会话搜索'],
  [`/chats/${DEMO_CHAT_ID}`, 'session', `会话 ${DEMO_CHAT_ID}`],
  [`/chats/${DEMO_LONG_CHAT_ID}?page=2`, 'session-long', `会话 ${DEMO_LONG_CHAT_ID}`],
  ['/favorites', 'favorites', '我的收藏'],
  ['/audit', 'audit', null],
  ['/no-such-page', 'not-found', '页面不存在'],
] as const;
const DESKTOP = { name: 'desktop', width: 1280, height: 800 };

describe('the demo in the panel, on a phone and a desktop', () => {
  let api: TestApp;
  let demo: DemoCredentials;
  let op: OpClient;
  let panel: Panel;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    api = await startTestApp('sqlite');
    demo = await seedDemo(api);
    op = new OpClient({ baseUrl: api.baseUrl, clientId: demo.clientId, secret: demo.secret, token: demo.token });
    const panelClient = await api.clients.create(demo.tenantId, 'hmac-sha256', { panel: true });
    panel = await startPanel({
      OP_ADMIN_API_URL: api.baseUrl,
      OP_ADMIN_CLIENT_ID: panelClient.clientId,
      OP_ADMIN_CLIENT_SECRET: panelClient.secret,
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await panel?.stop();
    await api?.close();
  });

  async function newPage(viewport: { width: number; height: number }): Promise<Page> {
    const context = await browser.newContext({ viewport, locale: 'en-US' });
    contexts.push(context);
    return context.newPage();
  }

  async function signIn(page: Page, username: string, password: string): Promise<void> {
    await page.getByLabel('用户名').fill(username);
    await page.getByLabel('密码').fill(password);
    await page.getByRole('button', { name: '登录' }).click();
  }

  /**
   * axe-core's serious and critical findings on the page as it stands (contrast of 4.5:1 among
   * them), as `rule: element` lines. Evaluated through DevTools, so the page's CSP is untouched.
   */
  async function accessibilityProblems(page: Page): Promise<string[]> {
    await page.evaluate(AXE);
    return page.evaluate(async () => {
      const axe = (
        window as unknown as {
          axe: {
            run(
              context: Document,
              options: object,
            ): Promise<{ violations: Array<{ id: string; impact: string | null; nodes: Array<{ target: unknown[] }> }> }>;
          };
        }
      ).axe;
      const { violations } = await axe.run(document, { resultTypes: ['violations'] });
      return violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .flatMap((v) => v.nodes.map((node) => `${v.id}: ${JSON.stringify(node.target)}`));
    });
  }

  /** The page's own width: what a person would have to scroll sideways to see. */
  const pageWidth = (page: Page) => page.evaluate(() => document.scrollingElement!.scrollWidth);

  it('holds what a newcomer needs: recent refund, shipping and complaint chats, a long chat, marks and favorites', async () => {
    for (const [keyword, atLeast] of [
      ['退款', 3],
      ['发货', 3],
      ['投诉', 2],
    ] as const) {
      const { data } = await op.chatSearch({ keyword });
      expect((data as ChatSearchData).chats.length).toBeGreaterThanOrEqual(atLeast);
    }
    const long = await op.chatMessageList({ chatId: DEMO_LONG_CHAT_ID, pageSize: 1 });
    expect(long.page!.total).toBeGreaterThanOrEqual(300);
    const types = new Set<string>();
    for (const chat of ((await op.chatSearch({ pageSize: 100 })).data as ChatSearchData).chats) {
      for (const m of (await op.chatMessageList({ chatId: chat.chatId, pageSize: 100 })).data!.msg) types.add(m.type);
    }
    expect([...types].sort()).toEqual(['audio', 'cmd', 'custom', 'file', 'img', 'loc', 'txt', 'video']);
    const favorites = (await op.favoriteList({})).data as FavoriteListData;
    expect(favorites.favorites.length).toBeGreaterThan(0);
    expect((await op.markList()).data!.marks.length).toBeGreaterThan(0);
  });

  describe.each([PHONE, DESKTOP])('at $width px', (viewport) => {
    let page: Page;

    beforeAll(async () => {
      page = await newPage(viewport);
      await page.goto(`${panel.url}/login`);
      await expect(pageWidth(page)).resolves.toBeLessThanOrEqual(viewport.width);
      await expect(accessibilityProblems(page)).resolves.toEqual([]);
      await page.screenshot({ path: join(SCREENSHOTS, `demo-login-${viewport.name}.png`), fullPage: true });
      await signIn(page, demo.username, demo.password);
      await page.waitForURL(`${panel.url}/`);
    });

    it('scrolls no page sideways, and each page has its own title', async () => {
      for (const [path, name, title] of PAGES) {
        await page.goto(`${panel.url}${path}`);
        await page.locator('h1').first().waitFor();
        await page.screenshot({ path: join(SCREENSHOTS, `demo-${name}-${viewport.name}.png`), fullPage: true });
        const width = await pageWidth(page);
        expect({ path, width: Math.max(width, viewport.width) }).toEqual({ path, width: viewport.width });
        if (title) await expect(page.title()).resolves.toBe(`${title} · Op 客服管理后台`);
        expect({ path, problems: await accessibilityProblems(page) }).toEqual({ path, problems: [] });
      }
      // The not-found page keeps the panel's header.
      await expect(page.getByRole('link', { name: '我的收藏' }).count()).resolves.toBe(1);
    });

    it('folds the filters on a phone only, and keeps the search URL free of empty fields', async () => {
      await page.goto(`${panel.url}/`);
      // Folded once the page's script runs (a desktop keeps them open).
      const filters = page.locator('[data-testid="filter-panel"][data-ready="true"]');
      await expect(filters.evaluate((el) => (el as HTMLDetailsElement).open)).resolves.toBe(viewport === DESKTOP);
      if (viewport === PHONE) {
        // The keyword and its button are on the first screen.
        const button = await page.getByRole('button', { name: '搜索', exact: true }).boundingBox();
        expect(button!.y + button!.height).toBeLessThanOrEqual(viewport.height / 2);
        await page.getByText('筛选', { exact: true }).click();
      }
      await page.getByLabel('创建时间 从').fill('2020-01-01');
      await page.getByLabel('关键词').fill('退款');
      await page.getByRole('button', { name: '搜索', exact: true }).click();
      await page.getByTestId('result-row').first().waitFor();
      const url = new URL(page.url());
      expect([...url.searchParams.keys()].sort()).toEqual(['createdFrom', 'keyword']);
      // The time field reads as zh-CN writes it, whatever the browser's own locale.
      await expect(page.getByLabel('创建时间 从').inputValue()).resolves.toBe('2020-01-01');
      await expect(page.getByTestId('filter-panel').locator('summary').textContent()).resolves.toBe('筛选（已设 1 项）');
    });

    it('narrows to recent chats with a date preset', async () => {
      await page.goto(`${panel.url}/`);
      await page.getByRole('link', { name: '最近 7 天' }).click();
      await page.waitForURL(/lastMessageFrom=\d{4}-\d{2}-\d{2}$/);
      await page.getByRole('link', { name: '最近 7 天' }).and(page.locator('[aria-current="true"]')).waitFor();
      // Ten demo chats; two (9 and 14 days old) fall outside the last 7 days.
      await expect(page.getByTestId('result-total').textContent()).resolves.toBe('共 8 个会话');
    });

    it('says which window an empty keyword search looked in', async () => {
      await page.goto(`${panel.url}/?keyword=${encodeURIComponent('没有这个词')}`);
      const empty = page.getByTestId('empty-window');
      await empty.waitFor();
      await expect(empty.textContent()).resolves.toMatch(/^已搜索 .+ 的消息，没有消息包含「没有这个词」。$/);
    });

    it('highlights the keyword inside the transcript after a jump from search', async () => {
      await page.goto(`${panel.url}/?keyword=${encodeURIComponent('退款')}`);
      await page.getByTestId('hit').first().click();
      await page.waitForURL(/\/chats\/.+around=/);
      const opened = page.locator('.message.highlighted');
      await opened.waitFor();
      await expect(opened.locator('mark').first().textContent()).resolves.toBe('退款');
      await page.screenshot({ path: join(SCREENSHOTS, `demo-jump-${viewport.name}.png`) });
    });

    it('keeps focus on the star toggled with Enter', async () => {
      await page.goto(`${panel.url}/chats/${DEMO_CHAT_ID}`);
      await page.getByTestId('message').nth(1).locator('[data-testid="message-tools"][data-ready="true"]').waitFor();
      const star = page.getByTestId('message').nth(1).getByTestId('favorite');
      await star.focus();
      await page.keyboard.press('Enter');
      await page.getByTestId('message').nth(1).locator('[data-testid="favorite"][aria-pressed="true"]').waitFor();
      await expect(star.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
      await page.keyboard.press('Enter');
      await page.getByTestId('message').nth(1).locator('[data-testid="favorite"][aria-pressed="false"]').waitFor();
      await expect(star.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    });

    it('says a message of another chat is not in this one, without calling the chat missing', async () => {
      const other = (await op.chatMessageList({ chatId: DEMO_LONG_CHAT_ID, pageSize: 1 })).data!.msg[0].userMessageId;
      await page.goto(`${panel.url}/chats/${DEMO_CHAT_ID}?around=${other}`);
      const notice = page.getByTestId('missing-message');
      await notice.waitFor();
      await expect(notice.textContent()).resolves.toContain(`消息 ${other} 不在这个会话中`);
      await expect(page.getByTestId('forbidden').count()).resolves.toBe(0);
      await expect(page.getByTestId('message').count()).resolves.toBe(10);
    });

    it('lets a keyboard user skip the header', async () => {
      await page.goto(`${panel.url}/favorites`);
      await page.keyboard.press('Tab');
      const skip = page.getByRole('link', { name: '跳到正文' });
      await expect(skip.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
      const box = await skip.boundingBox();
      expect(box!.y).toBeGreaterThanOrEqual(0); // shown once focused
      await page.keyboard.press('Enter');
      await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('main');
    });

    it('prints a transcript without the header, the find bar or the buttons', async () => {
      await page.goto(`${panel.url}/chats/${DEMO_CHAT_ID}`);
      await page.getByTestId('message-tools').first().waitFor();
      await page.emulateMedia({ media: 'print' });
      try {
        await expect(page.locator('header.nav').isVisible()).resolves.toBe(false);
        await expect(page.getByTestId('message-tools').first().isVisible()).resolves.toBe(false);
        await expect(page.getByTestId('message').first().isVisible()).resolves.toBe(true);
      } finally {
        await page.emulateMedia({ media: 'screen' });
      }
    });

    it("follows the system's dark mode, every page as readable, and still prints black on white", async () => {
      const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      await page.emulateMedia({ colorScheme: 'dark' });
      try {
        for (const [path, name] of PAGES) {
          await page.goto(`${panel.url}${path}`);
          await page.locator('h1').first().waitFor();
          await expect(background()).resolves.toBe('rgb(15, 23, 42)');
          await page.screenshot({ path: join(SCREENSHOTS, `demo-${name}-${viewport.name}-dark.png`), fullPage: true });
          expect({ path, problems: await accessibilityProblems(page) }).toEqual({ path, problems: [] });
        }
        await page.emulateMedia({ media: 'print', colorScheme: 'dark' });
        await expect(background()).resolves.toBe('rgb(255, 255, 255)');
      } finally {
        await page.emulateMedia({ media: 'screen', colorScheme: 'light' });
      }
      await expect(background()).resolves.toBe('rgb(243, 244, 246)');
    });

    it('serves a favicon', async () => {
      const response = await page.request.get(`${panel.url}/favicon.ico`);
      expect(response.status()).toBe(200);
    });
  });

  it('shows marks on the favorites page and drops an un-starred row at once', async () => {
    const page = await newPage(PHONE);
    await page.goto(`${panel.url}/login`);
    await signIn(page, demo.agentUsername, demo.agentPassword);
    await page.waitForURL(`${panel.url}/`);
    await page.goto(`${panel.url}/favorites`);
    const rows = page.getByTestId('favorite-row');
    await rows.first().waitFor();
    const before = await rows.count();
    expect(before).toBeGreaterThanOrEqual(2);
    await expect(page.getByTestId('favorites').getByTestId('mark-chip').allTextContents()).resolves.toEqual(
      expect.arrayContaining([expect.stringContaining('退款'), expect.stringContaining('待回访')]),
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'demo-favorites-marks-phone.png'), fullPage: true });
    await rows.first().locator('[data-testid="message-tools"][data-ready="true"]').waitFor();
    await rows.first().getByTestId('favorite').click();
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="favorite-row"]').length === n, before - 1);
    // Focus moved to the next row's star, not to the page.
    await expect(page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).resolves.toBe('favorite');
  });

  it('opens a deep link after sign-in at the page asked for', async () => {
    const page = await newPage(PHONE);
    const around = (await op.chatMessageList({ chatId: DEMO_LONG_CHAT_ID, pageNum: 5, pageSize: 20 })).data!.msg[3].userMessageId;
    const link = `/chats/${DEMO_LONG_CHAT_ID}?around=${around}`;
    await page.goto(`${panel.url}${link}`);
    await page.waitForURL(/\/login\?next=/);
    await signIn(page, demo.agentUsername, demo.agentPassword);
    await page.waitForURL(`${panel.url}${link}`);
    await expect(page.locator('.message.highlighted').getAttribute('data-message-id')).resolves.toBe(around);
    // An address of another site is never followed.
    const other = await newPage(PHONE);
    await other.goto(`${panel.url}/login?next=${encodeURIComponent('//example.com/')}`);
    await signIn(other, demo.agentUsername, demo.agentPassword);
    await other.waitForURL(`${panel.url}/`);
  });
});
