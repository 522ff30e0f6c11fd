import Link from 'next/link';
import { CHAT_STATUS_CODES, CHAT_STATUS_LABELS, type ChatSearchData } from '@op/contracts';
import { ErrorBox, FilterActions, Pager, StatusBadge, TimeRangeFields } from '../../components/common';
import { Snippet } from '../../components/snippet';
import { requireSession, withOp } from '../../lib/op-server';
import { queryValue, searchRequestOf, withPage, type Query } from '../../lib/search-query';

export default async function SearchPage({ searchParams }: { searchParams: Promise<Query> }) {
  const session = await requireSession();
  const query = await searchParams;
  const body = searchRequestOf(query);
  const selected = new Set(body.status ?? []);
  const [result, marks] = await Promise.all([
    withOp(session, (op) => op.chatSearch(body)),
    withOp(session, (op) => op.markList()),
  ]);
  const markOptions = marks.ok ? (marks.value.data?.marks ?? []) : [];

  return (
    <>
      <h1>会话搜索</h1>
      <form className="card" method="get" action="/" data-testid="search-form">
        <div className="filters">
          <fieldset className="statuses" style={{ border: 0, padding: 0, margin: 0 }}>
            <legend style={{ fontSize: 13, color: '#475569' }}>状态</legend>
            {CHAT_STATUS_CODES.map((code) => (
              <label key={code}>
                <input type="checkbox" name="status" value={code} defaultChecked={selected.has(code)} />
                {CHAT_STATUS_LABELS[code]}
              </label>
            ))}
          </fieldset>
          <label>
            关键词
            <input name="keyword" defaultValue={queryValue(query, 'keyword') ?? ''} placeholder="消息内容包含…" />
          </label>
          <label>
            客户 ID
            <input name="customerId" defaultValue={queryValue(query, 'customerId') ?? ''} />
          </label>
          <label>
            客服 ID
            <input name="operatorId" defaultValue={queryValue(query, 'operatorId') ?? ''} />
          </label>
          <label>
            会话 ID
            <input name="chatId" defaultValue={queryValue(query, 'chatId') ?? ''} />
          </label>
          <label>
            标记
            <input name="mark" list="mark-options" defaultValue={queryValue(query, 'mark') ?? ''} />
            <datalist id="mark-options">
              {markOptions.map((m) => (
                <option key={m.mark} value={m.mark}>{`${m.mark}（${m.count}）`}</option>
              ))}
            </datalist>
          </label>
          <TimeRangeFields label="创建时间" from="createdFrom" to="createdTo" query={query} />
          <TimeRangeFields label="最后消息时间" from="lastMessageFrom" to="lastMessageTo" query={query} />
        </div>
        <FilterActions submit="搜索" clearHref="/" />
      </form>

      {!result.ok ? (
        <ErrorBox message={result.message} />
      ) : (
        <Results data={result.value.data as ChatSearchData} page={result.value.page} query={query} />
      )}
    </>
  );
}

function Results({ data, page, query }: { data: ChatSearchData; page: Parameters<typeof Pager>[0]['page'] | undefined; query: Query }) {
  if (data.chats.length === 0) {
    return (
      <div className="card empty" data-testid="empty">
        没有找到符合条件的会话
      </div>
    );
  }
  return (
    <div className="card">
      {data.window ? (
        <p style={{ color: '#64748b', marginTop: 0 }} data-testid="search-window">
          关键词搜索范围：{data.window.from ?? '最早的消息'} 至 {data.window.to ?? '现在'}
        </p>
      ) : null}
      {data.totalCapped ? (
        <p style={{ color: '#64748b', marginTop: 0 }} data-testid="total-capped">
          匹配的会话超过 {page?.total.toLocaleString('zh-CN')} 个，下方按最近活动排列
        </p>
      ) : null}
      <table data-testid="results">
        <thead>
          <tr>
            <th>会话</th>
            <th>状态</th>
            <th>客户</th>
            <th>客服</th>
            <th>创建时间</th>
            <th>最后消息</th>
            <th>消息数</th>
            <th>命中</th>
          </tr>
        </thead>
        <tbody>
          {data.chats.map((chat) => (
            <tr key={chat.chatId} data-testid="result-row">
              <td>
                <Link href={`/chats/${encodeURIComponent(chat.chatId)}`}>{chat.chatId}</Link>
              </td>
              <td>
                <StatusBadge code={chat.statusCode} />
              </td>
              <td>{chat.customerId ?? '—'}</td>
              <td>{chat.operatorId ?? '未分配'}</td>
              <td>{chat.createTime}</td>
              <td>{chat.lastMessageTime ?? '—'}</td>
              <td>{chat.messageCount}</td>
              <td>
                {chat.hits.map((hit) => (
                  <Link
                    key={hit.userMessageId}
                    className="hit"
                    data-testid="hit"
                    href={`/chats/${encodeURIComponent(chat.chatId)}?around=${hit.userMessageId}`}
                  >
                    <small>{hit.createTime}</small> <Snippet snippet={hit.snippet} offsets={hit.offsets} />
                  </Link>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {page ? <Pager page={page} href={(n) => withPage(query, n)} /> : null}
    </div>
  );
}
