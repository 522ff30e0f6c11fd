import type { Metadata } from 'next';
import Link from 'next/link';
import {
  EXPORT_FORMATS,
  MESSAGE_ID_PATTERN,
  type ChatInfo,
  type ChatMessageListData,
  type ExportFormat,
  type SearchWindow,
} from '@op/contracts';
import { ChatShortcuts } from '@/components/chat-shortcuts';
import { ErrorBox, Forbidden, OperatorName, Pager, RetryBox, StatusBadge } from '@/components/common';
import { FindBar } from '@/components/find-bar';
import { FreshOnReturn } from '@/components/fresh-on-return';
import { Menu } from '@/components/menu';
import { MessageBody } from '@/components/message-body';
import { MessageTools } from '@/components/message-tools';
import { ScrollIntoView } from '@/components/scroll-into-view';
import { BackToSearch } from '@/components/search-memory';
import { chatHref, findCountText, parseHit, stepTargets, type ChatLocation } from '@/lib/find-in-chat';
import { isRecalled, sideOf } from '@/lib/format';
import { requireSession, serverClock, withOp, type OpResult } from '@/lib/op-server';
import { operatorDirectory } from '@/lib/operators';
import { findAt, findByNumber, type FindResult } from './find';

const CHAT_PAGE_SIZE = 20;

type Params = Promise<{ chatId: string }>;
type Search = Promise<{ page?: string; around?: string; keyword?: string; hit?: string }>;

/** What the server searched when it was not the whole chat, in words. */
function windowText(window: SearchWindow | null): string | null {
  if (window === null) return null;
  return `仅查找了 ${window.from ?? '最早的消息'} 至 ${window.to ?? '最新的消息'} 之间的消息`;
}

/** A path segment as typed; a malformed escape (`%E0%A4%A`) is no chat, not an error page. */
function safeDecode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** What the page shows when the API refuses or fails the chat; `here` is the page's own address, to try again. */
function refusal(code: number, message: string, here: string) {
  if (code === 403) return <Forbidden title="无权访问该会话" detail="该会话未分配给你，无法查看。" />;
  if (code === 404) return <Forbidden title="会话不存在" detail={message} />;
  // An id the API refuses as written: no retry gives another answer.
  if (code === 400) return <Forbidden title="无法打开该会话" detail={message} />;
  return (
    <>
      <h1>会话</h1>
      <RetryBox message={message} href={here} />
    </>
  );
}

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const chatId = safeDecode((await params).chatId);
  return { title: chatId ? `会话 ${chatId}` : '会话' };
}

export default async function ChatPage({ params, searchParams }: { params: Params; searchParams: Search }) {
  // Before any read: a change made from here on is newer than what this page shows.
  const renderedAt = serverClock();
  const session = await requireSession();
  const { chatId: rawId } = await params;
  const chatId = safeDecode(rawId);
  if (chatId === null) return refusal(404, '会话地址无效', '/');
  const query = await searchParams;
  const { page, around, keyword: rawKeyword, hit: rawHit } = query;
  // This page's own address (to try again): its path as requested, its query as given.
  const given = new URLSearchParams(Object.entries(query).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  const here = `/chats/${rawId}${given.size > 0 ? `?${given.toString()}` : ''}`;
  // A page picked in the pager wins over the message the chat was opened at.
  const pageNum = page === undefined ? undefined : Math.max(1, Number.parseInt(page, 10) || 1);
  let aroundMessageId = around && MESSAGE_ID_PATTERN.test(around) ? around : undefined;
  const keyword = rawKeyword?.trim() || undefined;
  const hit = parseHit(rawHit);

  // Find in this chat: match number `hit` (the first by default) is current, unless the chat
  // was opened at a message (a search hit), whose own number is worked out below.
  const byNumber = keyword !== undefined && (hit !== undefined || !aroundMessageId);
  const [detail, found, directory] = await Promise.all([
    withOp(session, (op) => op.expect<ChatInfo>('chatDetail', { chatId })),
    byNumber ? findByNumber(session, chatId, keyword, hit ?? 1) : null,
    operatorDirectory(session),
  ]);
  if (!detail.ok) return refusal(detail.code, detail.message, here);
  let find: OpResult<FindResult> | null = found;
  const anchor = (find?.ok ? find.value.currentId : null) ?? aroundMessageId;
  const listAt = (at: string | undefined) =>
    withOp(session, (op) =>
      op.chatMessageList({
        chatId,
        pageSize: CHAT_PAGE_SIZE,
        needMark: true,
        needFavorite: true,
        ...(pageNum === undefined && at ? { aroundMessageId: at } : { pageNum: pageNum ?? 1 }),
      }),
    );
  let list = await listAt(anchor);
  // The chat exists (chatDetail said so): a 404 here is a message id that is not in it (a link
  // to another chat's message). Say that, and show the chat from its start.
  const missingMessage = !list.ok && list.code === 404 && anchor !== undefined && anchor === aroundMessageId ? aroundMessageId : null;
  if (missingMessage) {
    aroundMessageId = undefined;
    list = await listAt(undefined);
  }
  if (keyword && find === null) {
    const opened = list.ok ? (list.value.data?.msg.find((m) => m.userMessageId === aroundMessageId) ?? null) : null;
    find = await findAt(session, chatId, keyword, opened);
  }
  const chat = detail.value.data!;
  // Imported chats may have no customerId: take the sender of the chat's first message as the
  // customer (customers open chats), so the conversation still has two sides.
  let customerId = chat.customerId;
  if (customerId === null && list.ok) {
    const msgs = list.value.data.msg;
    if (list.value.page?.page === 1) customerId = msgs[0]?.form ?? null;
    else {
      const first = await withOp(session, (op) => op.chatMessageList({ chatId, pageNum: 1, pageSize: 1 }));
      customerId = first.ok ? (first.value.data?.msg[0]?.form ?? null) : null;
    }
  }
  // The pager keeps the find: the keyword, the current match (or the message opened at).
  const current = find?.ok ? find.value.current : null;
  const kept: ChatLocation = keyword ? { keyword, ...(current !== null ? { hit: current } : { around: aroundMessageId }) } : {};
  const href = (n: number) => chatHref(chatId, { ...kept, page: n });
  const steps = find?.ok ? stepTargets(find.value) : null;
  const stepHref = (n: number | undefined) => (n === undefined || !keyword ? null : chatHref(chatId, { keyword, hit: n }));

  return (
    <>
      <FreshOnReturn renderedAt={renderedAt} />
      <p>
        <BackToSearch />
      </p>
      {missingMessage ? (
        <p className="notice" role="status" data-testid="missing-message">
          消息 {missingMessage} 不在这个会话中（可能属于另一个会话，或已被删除），下面从第一页显示本会话。
        </p>
      ) : null}
      <section className="card" data-testid="chat-detail">
        <h1>
          会话 <bdi>{chat.chatId}</bdi> <StatusBadge code={chat.statusCode} />
        </h1>
        <dl className="details">
          <div>
            <dt>客户</dt>
            <dd>{chat.customerId ?? '—'}</dd>
          </div>
          <div>
            <dt>客服</dt>
            <dd>
              <OperatorName id={chat.operatorId} names={directory.names} />
            </dd>
          </div>
          <div>
            <dt>创建时间</dt>
            <dd>{chat.createTime}</dd>
          </div>
          <div>
            <dt>接入时间</dt>
            <dd>{chat.acceptTime ?? '—'}</dd>
          </div>
          <div>
            <dt>结束时间</dt>
            <dd>{chat.endTime ?? '—'}</dd>
          </div>
          <div>
            <dt>最后消息</dt>
            <dd>{chat.lastMessageTime ?? '—'}</dd>
          </div>
          <div>
            <dt>消息数</dt>
            <dd>{chat.messageCount}</dd>
          </div>
        </dl>
        <ExportMenu chatId={chat.chatId} customerId={session.role === 'admin' ? chat.customerId : null} />
      </section>

      {list.ok ? (
        <ChatShortcuts
          nextHit={stepHref(steps?.next)}
          previousHit={stepHref(steps?.previous)}
          nextPage={list.value.page?.next ? href(list.value.page.page + 1) : null}
          previousPage={list.value.page && list.value.page.page > 1 ? href(list.value.page.page - 1) : null}
        />
      ) : null}
      {list.ok ? (
        <FindBar
          chatId={chatId}
          keyword={keyword ?? ''}
          count={find?.ok && find.value.total > 0 ? findCountText(find.value) : null}
          empty={find?.ok === true && find.value.total === 0}
          nextHref={stepHref(steps?.next)}
          previousHref={stepHref(steps?.previous)}
          windowText={find?.ok ? windowText(find.value.window) : null}
          error={find && !find.ok ? find.message : null}
        />
      ) : null}

      {!list.ok ? (
        list.code === 403 || list.code === 404 ? (
          refusal(list.code, list.message, here)
        ) : list.code === 400 ? (
          // The chat was found (its detail answered): what the API refused is the address's page or find.
          <>
            <ErrorBox message={list.message} />
            <p className="muted">
              <Link href={chatHref(chatId)}>从第一页查看该会话</Link>
            </p>
          </>
        ) : (
          <RetryBox message={list.message} href={here} />
        )
      ) : (
        <Conversation
          chatId={chatId}
          data={list.value.data}
          page={list.value.page}
          customerId={customerId}
          highlight={aroundMessageId}
          currentHit={find?.ok ? find.value.currentId : null}
          keyword={keyword}
          // Paging through the chat is reading, not finding: only a move to a match scrolls.
          scrollTo={pageNum === undefined ? ((find?.ok ? find.value.currentId : null) ?? aroundMessageId) : undefined}
          href={href}
        />
      )}
    </>
  );
}

const EXPORT_LABELS: Record<ExportFormat, string> = {
  jsonl: 'JSON Lines（.jsonl）',
  csv: 'Excel 可打开的 CSV（.csv）',
  html: '网页（.html）',
};

/** Download the whole transcript in each format, print it, and (admins) erase the customer. */
function ExportMenu({ chatId, customerId }: { chatId: string; customerId: string | null }) {
  const base = `/chats/${encodeURIComponent(chatId)}/export`;
  return (
    <div className="chat-actions" data-testid="export-menu">
      <Menu label="导出会话记录">
        <ul>
          {EXPORT_FORMATS.map((format) => (
            <li key={format}>
              <a href={`${base}?format=${format}`} download data-testid={`export-${format}`}>
                {EXPORT_LABELS[format]}
              </a>
            </li>
          ))}
        </ul>
      </Menu>
      <a className="button secondary" href={`${base}?view=print`} target="_blank" rel="noopener" data-testid="print-view">
        打印视图
      </a>
      {customerId ? (
        <Link className="danger-link" href={`/customers/erase?customerId=${encodeURIComponent(customerId)}`} data-testid="erase-link">
          删除该客户的全部数据
        </Link>
      ) : null}
    </div>
  );
}

function Conversation({
  chatId,
  data,
  page,
  customerId,
  highlight,
  currentHit,
  keyword,
  scrollTo,
  href,
}: {
  chatId: string;
  data: ChatMessageListData;
  page: Parameters<typeof Pager>[0]['page'] | undefined;
  customerId: string | null;
  /** The message the chat was opened at. */
  highlight: string | undefined;
  /** The current match of a find. */
  currentHit: string | null;
  keyword: string | undefined;
  scrollTo: string | undefined;
  href: (n: number) => string;
}) {
  if (data.msg.length === 0) {
    return (
      <div className="card empty" data-testid="empty">
        {page && page.page > 1 ? '这一页没有消息' : '该会话还没有消息'}
        {page && page.page > 1 ? (
          <p>
            <Link href={href(1)}>回到第一页</Link>
          </p>
        ) : null}
      </div>
    );
  }
  return (
    <section className="card">
      {page ? <Pager page={page} href={href} /> : null}
      <div className="conversation" data-testid="conversation">
        {data.msg.map((message) => {
          const system = message.type === 'cmd' || message.type === 'custom';
          const side = sideOf(message, customerId);
          const isCurrent = message.userMessageId === currentHit;
          const classes = [
            'message',
            system ? 'system' : side,
            message.userMessageId === highlight ? 'highlighted' : '',
            isCurrent ? 'current-hit' : '',
          ]
            .filter(Boolean)
            .join(' ');
          return (
            <article
              key={message.userMessageId}
              id={`m-${message.userMessageId}`}
              className={classes}
              data-testid="message"
              data-type={message.type}
              data-side={system ? 'system' : side}
              data-message-id={message.userMessageId}
              aria-current={isCurrent ? 'true' : undefined}
            >
              <div className="meta">
                {system ? null : (
                  <>
                    {side === 'customer' ? '客户' : '客服'} <bdi>{message.form ?? ''}</bdi> ·{' '}
                  </>
                )}
                {message.createTime}
                {isRecalled(message) ? (
                  <span className="recalled" data-testid="recalled">
                    已撤回
                  </span>
                ) : null}
              </div>
              <MessageBody message={message} keyword={keyword} />
              <MessageTools
                // Its state starts from these: a refresh that brings others (FreshOnReturn) starts it again.
                key={`${message.favorite === true}|${(message.mark ?? []).join('\n')}`}
                messageId={message.userMessageId}
                link={chatHref(chatId, { around: message.userMessageId })}
                marks={message.mark ?? []}
                favorite={message.favorite ?? false}
              />
            </article>
          );
        })}
      </div>
      {page ? <Pager page={page} href={href} label="分页（页尾）" /> : null}
      {scrollTo ? <ScrollIntoView elementId={`m-${scrollTo}`} /> : null}
    </section>
  );
}
