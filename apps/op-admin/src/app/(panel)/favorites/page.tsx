import type { Metadata } from 'next';
import Link from 'next/link';
import { FreshOnReturn } from '@/components/fresh-on-return';
import { ErrorBox, OperatorName, Pager, PastTheEnd, StatusBadge, isPastTheEnd } from '@/components/common';
import { FavoriteRow } from '@/components/favorite-row';
import { MessageBody } from '@/components/message-body';
import { MessageTools } from '@/components/message-tools';
import { chatHref } from '@/lib/find-in-chat';
import { requireSession, serverClock, withOp } from '@/lib/op-server';
import { operatorDirectory } from '@/lib/operators';

export const metadata: Metadata = { title: '我的收藏' };

export default async function FavoritesPage({ searchParams }: { searchParams: Promise<{ page?: string }> }) {
  // Before any read: a change made from here on is newer than what this page shows.
  const renderedAt = serverClock();
  const session = await requireSession();
  const { page } = await searchParams;
  const pageNum = Math.max(1, Number.parseInt(page ?? '1', 10) || 1);
  const [result, directory] = await Promise.all([
    withOp(session, (op) => op.favoriteList({ pageNum, pageSize: 20 })),
    operatorDirectory(session),
  ]);
  return (
    <>
      <FreshOnReturn renderedAt={renderedAt} />
      <h1 tabIndex={-1}>我的收藏</h1>
      {!result.ok ? (
        <ErrorBox message={result.message} />
      ) : result.value.data.favorites.length === 0 && isPastTheEnd(result.value.page) ? (
        <PastTheEnd page={result.value.page} first="/favorites" />
      ) : result.value.data.favorites.length === 0 ? (
        <div className="card empty" data-testid="empty">
          还没有收藏的消息：在会话页点 ☆ 收藏一条消息
        </div>
      ) : (
        <div className="card">
          <table data-testid="favorites">
            <thead>
              <tr>
                <th>收藏时间</th>
                <th>会话</th>
                <th>消息</th>
              </tr>
            </thead>
            <tbody>
              {result.value.data.favorites.map(({ favoriteTime, message, chat }) => (
                <FavoriteRow key={message.userMessageId} messageId={message.userMessageId}>
                  <td data-label="收藏时间">{favoriteTime}</td>
                  <td data-label="会话">
                    <Link href={chatHref(chat.chatId, { around: message.userMessageId })}>{chat.chatId}</Link>{' '}
                    <StatusBadge code={chat.statusCode} />
                    <div style={{ color: 'var(--muted)', fontSize: 12 }}>
                      客户 <bdi>{chat.customerId ?? '—'}</bdi> · 客服 <OperatorName id={chat.operatorId} names={directory.names} />
                    </div>
                  </td>
                  <td data-label="消息">
                    <div style={{ color: 'var(--muted)', fontSize: 12 }}>
                      <bdi>{message.form}</bdi> · {message.createTime}
                    </div>
                    <MessageBody message={message} />
                    <MessageTools
                      messageId={message.userMessageId}
                      link={chatHref(chat.chatId, { around: message.userMessageId })}
                      marks={message.mark ?? []}
                      favorite
                    />
                  </td>
                </FavoriteRow>
              ))}
            </tbody>
          </table>
          {result.value.page ? <Pager page={result.value.page} href={(n) => `/favorites?page=${n}`} /> : null}
        </div>
      )}
    </>
  );
}
