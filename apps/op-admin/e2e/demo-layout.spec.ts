// The panel over the demo a newcomer gets (`npm start` loads the same data), in Chromium at a
// phone's width and a desktop's: nothing scrolls sideways, each page names itself, and the
// rough edges a first user meets are gone. Screenshots go to test-results/screenshots.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { OperatorSummary } from '@op/contracts';
import { OpClient } from '@op/contracts/node';
import {
  DEMO_CHAT_ID,
  DEMO_CUSTOMER,
  DEMO_LONG_CHAT_ID,
  recordReconcileRun,
  seedDemo,
  startTestApp,
  type DemoCredentials,
  type TestApp,
} from 'op-api/testing';
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
  ['/easemob-gaps', 'easemob-gaps', '归档完整性'],
  ['/no-such-page', 'not-found', '页面不存在'],
] as const;
const DESKTOP = { name: 'desktop', width: 1280, height: 800 };
const HOUR = 3_600_000;
const GAPS_APPKEY = 'demo-org#demo-app';
/** A time as the panel's fields take it, in the demo API's zone (Asia/Shanghai, the default: no daylight saving). */
const shanghaiMinute = (ms: number) => new Date(ms + 8 * HOUR).toISOString().slice(0, 16).replace('T', ' ');
/** An hour as Easemob names it (`yyyyMMddHH`, UTC+8 by default, as the demo API is configured). */
const easemobHour = (ms: number) => new Date(ms + 8 * HOUR).toISOString().slice(0, 13).replace(/[-T]/g, '');

describe('the demo in the panel, on a phone and a desktop', () => {
  let api: TestApp;
  let demo: DemoCredentials;
  let op: OpClient;
  /** The demo's operators (the admin `demo` and the agent `agent`), as operatorList gives them. */
  let operators: OperatorSummary[];
  let panel: Panel;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  /** The hours easemobGaps should name (Easemob's `yyyyMMddHH`), oldest first, and the start of the current hour when seeded. */
  let gapHours: { running: string; missing: string; failed: string };
  let seededHour: number;

  beforeAll(async () => {
    api = await startTestApp('sqlite');
    demo = await seedDemo(api);
    op = new OpClient({ baseUrl: api.baseUrl, clientId: demo.clientId, secret: demo.secret, token: demo.token });
    operators = (await op.operatorList()).data.operators;
    // Reconciliation of the demo tenant's app: every hour from two days ago to the next ok,
    // but three of the last day (running, never run, failed). The next hours are ok too, so a
    // run that crosses an hour boundary sees the same gaps.
    await api.easemobApps.register(demo.tenantId, GAPS_APPKEY, 'demo-callback-secret');
    await api.easemobApps.setRestCredentials(demo.tenantId, GAPS_APPKEY, {
      clientId: 'demo-client-id',
      clientSecret: 'demo-client-secret',
    });
    seededHour = Math.floor(Date.now() / HOUR) * HOUR;
    const hours: Partial<typeof gapHours> = {};
    for (let n = -48; n <= 2; n++) {
      const hourStart = seededHour + n * HOUR;
      const run = { tenantId: demo.tenantId, appkey: GAPS_APPKEY, hourStart };
      if (n === -7) hours.running = await recordReconcileRun(api, { ...run, status: 'running' });
      else if (n === -5) hours.missing = easemobHour(hourStart);
      else if (n === -3)
        hours.failed = await recordReconcileRun(api, { ...run, status: 'failed', error: '获取历史消息下载地址失败：HTTP 500' });
      else await recordReconcileRun(api, { ...run, status: 'ok' });
    }
    gapHours = hours as typeof gapHours;
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
      expect(data.chats.length).toBeGreaterThanOrEqual(atLeast);
    }
    const long = await op.chatMessageList({ chatId: DEMO_LONG_CHAT_ID, pageSize: 1 });
    expect(long.page.total).toBeGreaterThanOrEqual(300);
    const types = new Set<string>();
    for (const chat of (await op.chatSearch({ pageSize: 100 })).data.chats) {
      for (const m of (await op.chatMessageList({ chatId: chat.chatId, pageSize: 100 })).data.msg) types.add(m.type);
    }
    expect([...types].sort()).toEqual(['audio', 'cmd', 'custom', 'file', 'img', 'loc', 'txt', 'video']);
    const favorites = (await op.favoriteList({})).data;
    expect(favorites.favorites.length).toBeGreaterThan(0);
    expect((await op.markList()).data.marks.length).toBeGreaterThan(0);
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
      // A keyword of spaces is no keyword: it leaves the URL too (once, not in a loop of redirects).
      await page.getByLabel('关键词').fill('   ');
      await page.getByRole('button', { name: '搜索', exact: true }).click();
      await page.waitForURL((u) => !u.searchParams.has('keyword'));
      await page.getByTestId('result-row').first().waitFor();
      expect([...new URL(page.url()).searchParams.keys()]).toEqual(['createdFrom']);
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
      const other = (await op.chatMessageList({ chatId: DEMO_LONG_CHAT_ID, pageSize: 1 })).data.msg[0].userMessageId;
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

    it('lists the hours the archive lacks, with the command that reconciles them, and says when every hour was', async () => {
      await page.goto(`${panel.url}/`);
      await page.getByRole('link', { name: '归档完整性' }).click();
      await page.waitForURL(`${panel.url}/easemob-gaps`);
      const rows = page.getByTestId('gap-row');
      await rows.first().waitFor({ state: 'visible' });
      // Without a range: the last 24 hours, shown in the form.
      const field = (name: string) => page.locator(`input[name="${name}"]`).inputValue();
      const at = (text: string) => Date.parse(`${text.replace(' ', 'T')}:00+08:00`);
      expect(at(await field('to')) - at(await field('from'))).toBe(24 * HOUR);
      expect(Math.abs(at(await field('to')) - Date.now())).toBeLessThan(10 * 60_000);
      // The three hours, oldest first, each in the panel's zone with its state in Chinese and the reason recorded.
      await expect(rows.locator('td[data-label="小时"]').allTextContents()).resolves.toEqual(
        [7, 5, 3].map((n) => shanghaiMinute(seededHour - n * HOUR)),
      );
      await expect(rows.locator('td[data-label="应用"]').allTextContents()).resolves.toEqual([GAPS_APPKEY, GAPS_APPKEY, GAPS_APPKEY]);
      await expect(rows.getByTestId('gap-state').allTextContents()).resolves.toEqual(['对账中', '未对账', '对账失败']);
      await expect(rows.locator('td[data-label="原因"]').allTextContents()).resolves.toEqual([
        '—',
        '—',
        '获取历史消息下载地址失败：HTTP 500',
      ]);
      await expect(page.getByTestId('gap-count').textContent()).resolves.toBe(`共检查 24 个小时（${GAPS_APPKEY}），其中 3 个未对账成功`);
      await expect(page.getByTestId('reconcile-command').textContent()).resolves.toBe(
        `opctl easemob:reconcile --tenant ${demo.tenantId} --from ${gapHours.running} --to ${gapHours.failed}`,
      );
      await expect(pageWidth(page)).resolves.toBeLessThanOrEqual(viewport.width);
      await page.screenshot({ path: join(SCREENSHOTS, `demo-easemob-gaps-list-${viewport.name}.png`), fullPage: true });
      expect(await accessibilityProblems(page)).toEqual([]);

      // A range of reconciled hours, typed in: the empty state names how many hours were checked.
      await page.locator('input[name="from"]').fill(shanghaiMinute(seededHour - 20 * HOUR));
      await page.locator('input[name="to"]').fill(shanghaiMinute(seededHour - 10 * HOUR));
      await page.getByRole('button', { name: '检查' }).click();
      await page.waitForURL(/\/easemob-gaps\?from=.+&to=.+/);
      await page.getByTestId('empty').waitFor({ state: 'visible' });
      await expect(page.getByTestId('empty').textContent()).resolves.toBe(`所选时间内的 11 个小时都已与环信对账完成（${GAPS_APPKEY}）`);
      await expect(rows.count()).resolves.toBe(0);
      await expect(pageWidth(page)).resolves.toBeLessThanOrEqual(viewport.width);
      await page.screenshot({ path: join(SCREENSHOTS, `demo-easemob-gaps-empty-${viewport.name}.png`), fullPage: true });
      expect(await accessibilityProblems(page)).toEqual([]);

      // An emptied field leaves the address: `to` is now again, and the gaps are back.
      await page.locator('input[name="to"]').fill('');
      await page.getByRole('button', { name: '检查' }).click();
      await page.waitForURL((url) => url.pathname === '/easemob-gaps' && !url.search.includes('to='));
      expect(new URL(page.url()).searchParams.get('from')).toBe(shanghaiMinute(seededHour - 20 * HOUR));
      await rows.first().waitFor({ state: 'visible' });
      await expect(rows.count()).resolves.toBe(3);
    });

    describe('operators by name, and pickers for operator, customer and mark', () => {
      const idOf = (username: string) => operators.find((o) => o.username === username)!.operatorId;
      /** The page's visible text holds no operator id (names only; the ids sit in title attributes). */
      async function expectNoOperatorIds(where: string): Promise<void> {
        const text = await page.evaluate(() => document.body.innerText);
        expect({ where, ids: operators.map((o) => o.operatorId).filter((id) => text.includes(id)) }).toEqual({ where, ids: [] });
      }
      /** The text of the label around a control, without the control's own (a datalist's options). */
      const labelOf = (control: Locator) =>
        control.evaluate((el) =>
          [...el.closest('label')!.childNodes]
            .filter((node) => node.nodeType === Node.TEXT_NODE)
            .map((node) => node.textContent)
            .join('')
            .trim(),
        );
      /** Opens the folded filters on a phone (a desktop shows them open). */
      async function openFilters(): Promise<void> {
        const filters = page.locator('[data-testid="filter-panel"][data-ready="true"]');
        if (!(await filters.evaluate((el) => (el as HTMLDetailsElement).open))) await page.getByText('筛选', { exact: true }).click();
      }
      /** Every control of the filters lies inside the screen, and nothing scrolls sideways. */
      async function expectFits(where: string): Promise<void> {
        const overflowing = await page.evaluate((width) => {
          const controls = [...document.querySelectorAll('main input:not([type="hidden"]), main select, main button')];
          return controls
            .filter((el) => (el as HTMLElement).offsetParent !== null)
            .filter((el) => el.getBoundingClientRect().right > width + 0.5 || el.getBoundingClientRect().left < -0.5)
            .map((el) => el.outerHTML.slice(0, 80));
        }, viewport.width);
        expect({ where, overflowing, width: Math.max(await pageWidth(page), viewport.width) }).toEqual({
          where,
          overflowing: [],
          width: viewport.width,
        });
      }

      it('names the operator of each result, chat, favorite and audit record, the id only as its title', async () => {
        expect(operators.map((o) => o.username).sort()).toEqual(['agent', 'demo']);
        const chats = (await op.chatSearch({ pageSize: 100 })).data.chats;

        await page.goto(`${panel.url}/`);
        const cells = page.getByTestId('result-row').getByTestId('operator-name');
        await cells.first().waitFor();
        const shown = await cells.evaluateAll((els) => els.map((el) => [el.textContent, el.getAttribute('title')]));
        const expected = chats.slice(0, 20).map((chat) => {
          const name = operators.find((o) => o.operatorId === chat.operatorId)?.username;
          return chat.operatorId === null ? ['未分配', null] : [name, chat.operatorId];
        });
        expect(shown).toEqual(expected);
        expect(new Set(shown.map(([name]) => name))).toEqual(new Set(['demo', 'agent', '未分配']));
        await expectNoOperatorIds('search');

        await page.goto(`${panel.url}/chats/${DEMO_CHAT_ID}`);
        const detail = page.getByTestId('chat-detail').getByTestId('operator-name');
        await expect(detail.textContent()).resolves.toBe('demo');
        await expect(detail.getAttribute('title')).resolves.toBe(idOf('demo'));
        await expectNoOperatorIds('chat');

        await page.goto(`${panel.url}/favorites`);
        await page.getByTestId('favorite-row').first().waitFor();
        const favoriteNames = await page.getByTestId('favorites').getByTestId('operator-name').allTextContents();
        expect(new Set(favoriteNames)).toEqual(new Set(['demo', 'agent']));
        await expectNoOperatorIds('favorites');
        await page.screenshot({ path: join(SCREENSHOTS, `demo-favorites-operators-${viewport.name}.png`), fullPage: true });
      });

      it('filters the search by operator with a select of names', async () => {
        await page.goto(`${panel.url}/`);
        await openFilters();
        const select = page.locator('select[name="operatorId"]');
        await expect(labelOf(select)).resolves.toBe('客服');
        await expect(select.locator('option').allTextContents()).resolves.toEqual(['全部客服', 'agent', 'demo']);
        await expectFits('search filters');
        await select.selectOption({ label: 'agent' });
        await page.getByRole('button', { name: '应用筛选' }).click();
        await page.waitForURL(new RegExp(`operatorId=${idOf('agent')}`));
        await page.getByTestId('result-row').first().waitFor();
        const total = ((await op.chatSearch({ operatorId: idOf('agent') })).page ?? { total: -1 }).total;
        expect(total).toBeGreaterThan(0);
        await expect(page.getByTestId('result-total').textContent()).resolves.toBe(`共 ${total} 个会话`);
        const names = await page.getByTestId('result-row').getByTestId('operator-name').allTextContents();
        expect(names).toEqual(Array(total).fill('agent'));
        // The filter shows as applied, by name, and the page names nobody by id.
        await expect(select.evaluate((el) => (el as HTMLSelectElement).selectedOptions[0].textContent)).resolves.toBe('agent');
        await expectNoOperatorIds('search by operator');
        await expect(page.getByTestId('filter-panel').locator('summary').textContent()).resolves.toBe('筛选（已设 1 项）');
        await page.screenshot({ path: join(SCREENSHOTS, `demo-operator-filter-${viewport.name}.png`), fullPage: true });
        expect(await accessibilityProblems(page)).toEqual([]);
      });

      it('suggests customers in the datalist as their id is typed, and the mark datalist shows counts', async () => {
        await page.goto(`${panel.url}/`);
        await openFilters();
        const input = page.locator('input[name="customerId"]');
        await expect(labelOf(input)).resolves.toBe('客户');
        await expect(input.getAttribute('list')).resolves.toBe('customer-options');
        await input.pressSequentially(DEMO_CUSTOMER.slice(0, 9), { delay: 30 });
        const suggestion = page.locator(`datalist#customer-options option[value="${DEMO_CUSTOMER}"]`);
        await suggestion.waitFor({ state: 'attached' });
        await expect(suggestion.textContent()).resolves.toMatch(/^1 个会话 · 最后消息 \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
        // Every suggestion starts with what was typed.
        const values = await page
          .locator('datalist#customer-options option')
          .evaluateAll((els) => els.map((el) => (el as HTMLOptionElement).value));
        expect(values.every((value) => value.startsWith(DEMO_CUSTOMER.slice(0, 9)))).toBe(true);
        await expectFits('customer picker');
        await page.screenshot({ path: join(SCREENSHOTS, `demo-customer-picker-${viewport.name}.png`), fullPage: true });
        // The marks' datalist names each mark with how many messages carry it.
        const marks = await page
          .locator('datalist#mark-options option')
          .evaluateAll((els) => els.map((el) => [(el as HTMLOptionElement).value, el.textContent]));
        expect(marks.length).toBeGreaterThan(0);
        for (const [value, text] of marks) expect(text).toMatch(new RegExp(`^${value}（\\d+）$`));
        const mark = page.locator('input[name="mark"]');
        await expect(labelOf(mark)).resolves.toBe('标记');
        await expect(mark.getAttribute('list')).resolves.toBe('mark-options');
        // Picking the suggestion filters the results to that customer.
        await input.fill(DEMO_CUSTOMER);
        await page.getByRole('button', { name: '应用筛选' }).click();
        await page.waitForURL(new RegExp(`customerId=${DEMO_CUSTOMER}`));
        await page.getByTestId('result-row').first().waitFor();
        await expect(page.getByTestId('result-row').count()).resolves.toBe(1);
        await expect(page.getByTestId('result-row').textContent()).resolves.toContain(DEMO_CHAT_ID);
        expect(await accessibilityProblems(page)).toEqual([]);
      });

      it('orders the results by creation time with the sort select beside the count, through the URL', async () => {
        await page.goto(`${panel.url}/?keyword=${encodeURIComponent('退款')}`);
        const sort = page.getByRole('combobox', { name: '排序', exact: true });
        await sort.waitFor();
        await expect(sort.locator('option').allTextContents()).resolves.toEqual(['最近活动', '创建时间']);
        await expect(sort.inputValue()).resolves.toBe('');
        // Beside the count, at the top of the results.
        const [count, select] = [await page.getByTestId('result-total').boundingBox(), await sort.boundingBox()];
        expect(select!.y).toBeLessThan(count!.y + count!.height + 40);
        expect(select!.x + select!.width).toBeLessThanOrEqual(viewport.width);
        await page.waitForFunction(() => document.querySelector('[data-testid="filter-panel"][data-ready="true"]') !== null);
        await sort.selectOption('createTime');
        await page.waitForURL(/sort=createTime/);
        const url = new URL(page.url());
        expect(Object.fromEntries(url.searchParams)).toEqual({ keyword: '退款', sort: 'createTime' });
        await expect(page.getByRole('combobox', { name: '排序', exact: true }).inputValue()).resolves.toBe('createTime');
        // A new search keeps it, the rows come newest created first, and 最近活动 drops it from the URL.
        await page.getByRole('button', { name: '搜索', exact: true }).click();
        await page.waitForURL((u) => u.searchParams.get('sort') === 'createTime' && u.searchParams.get('keyword') === '退款');
        await page.locator('[data-testid="filter-panel"][data-ready="true"]').waitFor({ state: 'attached' });
        const created = await page.locator('[data-testid="result-row"] td[data-label="创建时间"]').allTextContents();
        expect(created.length).toBeGreaterThan(1);
        expect(created).toEqual([...created].sort().reverse());
        await page.screenshot({ path: join(SCREENSHOTS, `demo-sort-${viewport.name}.png`), fullPage: true });
        expect(await accessibilityProblems(page)).toEqual([]);
        await page.getByRole('combobox', { name: '排序', exact: true }).selectOption('');
        await page.waitForURL((u) => !u.searchParams.has('sort') && u.searchParams.get('keyword') === '退款');
        await expect(pageWidth(page)).resolves.toBeLessThanOrEqual(viewport.width);
        // Every demo chat: two of them were created in the other order of their last messages.
        await page.goto(`${panel.url}/?sort=createTime`);
        const rows = page.getByTestId('result-row');
        await rows.first().waitFor();
        const byCreation = await rows.locator('td[data-label="创建时间"]').allTextContents();
        const lastMessages = await rows.locator('td[data-label="最后消息"]').allTextContents();
        expect(byCreation).toEqual([...byCreation].sort().reverse());
        expect(lastMessages).not.toEqual([...lastMessages].sort().reverse());
      });

      it('names operators on the audit page and filters it with the same select', async () => {
        // The agent reads a chat of theirs, so the trail holds both operators.
        const agentSession = await new OpClient({ baseUrl: api.baseUrl, clientId: demo.clientId, secret: demo.secret }).operatorLogin({
          username: demo.agentUsername,
          password: demo.agentPassword,
        });
        const agentOp = new OpClient({
          baseUrl: api.baseUrl,
          clientId: demo.clientId,
          secret: demo.secret,
          token: agentSession.data.token,
        });
        const own = (await agentOp.chatSearch({})).data.chats[0].chatId;
        await agentOp.chatMessageList({ chatId: own });
        // And the admin searches the agent's chats: the record's filters name an operator.
        await op.chatSearch({ operatorId: idOf('agent') });
        // The API writes its audit buffer about once a second: reload until the agent's record is there.
        const path = `/audit?operatorId=${idOf('agent')}`;
        for (let attempt = 0; attempt < 50; attempt++) {
          await page.goto(`${panel.url}${path}`);
          if ((await page.getByTestId('audit-row').count()) > 0) break;
          await page.waitForTimeout(200);
        }
        await page.getByTestId('audit-row').first().waitFor({ state: 'visible' });
        const names = await page.getByTestId('audit-row').locator('td:nth-child(2)').allTextContents();
        expect(names.length).toBeGreaterThan(0);
        expect(new Set(names)).toEqual(new Set(['agent']));
        const select = page.locator('select[name="operatorId"]');
        await expect(select.evaluate((el) => (el as HTMLSelectElement).selectedOptions[0].textContent)).resolves.toBe('agent');
        await expect(select.locator('option').allTextContents()).resolves.toEqual(['全部客服', 'agent', 'demo']);
        await expectFits('audit filters');
        // Back to every operator with the select: the admin's searches name the operator they filtered by, by name.
        await select.selectOption({ label: '全部客服' });
        await page.getByRole('button', { name: '查询' }).click();
        await page.waitForURL(`${panel.url}/audit`);
        await page.getByTestId('audit-row').first().waitFor({ state: 'visible' });
        const all = new Set(await page.getByTestId('audit-row').locator('td:nth-child(2)').allTextContents());
        expect(all).toEqual(new Set(['agent', 'demo']));
        await expect(page.getByTestId('audit').getByText('客服agent').first().isVisible()).resolves.toBe(true);
        await expectNoOperatorIds('audit');
        await page.screenshot({ path: join(SCREENSHOTS, `demo-audit-operators-${viewport.name}.png`), fullPage: true });
        expect(await accessibilityProblems(page)).toEqual([]);
      });
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
    // The page is read again: its count goes down with the row.
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid="page-info"]')?.textContent?.endsWith(`共 ${n} 条`) === true,
      before - 1,
    );
  });

  it('opens a deep link after sign-in at the page asked for', async () => {
    const page = await newPage(PHONE);
    const around = (await op.chatMessageList({ chatId: DEMO_LONG_CHAT_ID, pageNum: 5, pageSize: 20 })).data.msg[3].userMessageId;
    const link = `/chats/${DEMO_LONG_CHAT_ID}?around=${around}`;
    await page.goto(`${panel.url}${link}`);
    await page.waitForURL(/\/login\?next=/);
    await signIn(page, demo.agentUsername, demo.agentPassword);
    await page.waitForURL(`${panel.url}${link}`);
    await expect(page.locator('.message.highlighted').getAttribute('data-message-id')).resolves.toBe(around);
    // An address of another site is never followed, however spelled: browsers drop a tab from
    // an address, so `/<TAB>/example.com/` is `//example.com/` to them.
    for (const elsewhere of ['//example.com/', '/\t/example.com/']) {
      const other = await newPage(PHONE);
      await other.goto(`${panel.url}/login?next=${encodeURIComponent(elsewhere)}`);
      await signIn(other, demo.agentUsername, demo.agentPassword);
      await other.waitForURL(`${panel.url}/`);
      // Signed in already, the sign-in page sends the browser on at once: to the panel too.
      await other.goto(`${panel.url}/login?next=${encodeURIComponent(elsewhere)}`);
      await other.waitForURL(`${panel.url}/`);
    }
  });
});
