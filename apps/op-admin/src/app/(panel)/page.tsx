import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import {
  CHAT_STATUS_CODES,
  CHAT_STATUS_LABELS,
  MAX_CHAT_ID_LENGTH,
  MAX_CUSTOMER_ID_LENGTH,
  MAX_KEYWORD_LENGTH,
  MAX_MARK_LENGTH,
  type ChatSearchData,
  type ChatSearchRequest,
} from '@op/contracts';
import {
  ErrorBox,
  FilterActions,
  OperatorName,
  OperatorSelect,
  Pager,
  PastTheEnd,
  StatusBadge,
  TimeRangeFields,
  isPastTheEnd,
} from '@/components/common';
import { CustomerPicker } from '@/components/customer-picker';
import { FilterPanel } from '@/components/filter-panel';
import { FormFollowsAddress } from '@/components/form-follows-address';
import { RememberSearch } from '@/components/search-memory';
import { SortSelect } from '@/components/sort-select';
import { Snippet } from '@/components/snippet';
import { chatHref } from '@/lib/find-in-chat';
import { countText, type OperatorNames } from '@/lib/format';
import { requireSession, withOp } from '@/lib/op-server';
import { operatorDirectory } from '@/lib/operators';
import {
  DATE_PRESETS,
  SORT_OPTIONS,
  hasEmptyFields,
  hiddenFields,
  pageNumOf,
  presetFrom,
  queryValue,
  searchRequestOf,
  withPage,
  withPreset,
  type Query,
} from '@/lib/search-query';

export const metadata: Metadata = { title: '会话搜索' };

/** The filters under "筛选" (all but the keyword), to say how many are set. */
const FOLDED_FILTERS = [
  'status',
  'customerId',
  'operatorId',
  'chatId',
  'mark',
  'messageTimeFrom',
  'messageTimeTo',
  'createdFrom',
  'createdTo',
  'lastMessageFrom',
  'lastMessageTo',
];

export default async function SearchPage({ searchParams }: { searchParams: Promise<Query> }) {
  const session = await requireSession();
  const query = await searchParams;
  // A GET form sends every field, empty or not: the address keeps only those with a value.
  if (hasEmptyFields(query)) redirect(`/${withPage(query, pageNumOf(query))}`);
  const body = searchRequestOf(query);
  const activeFilters = FOLDED_FILTERS.filter((key) => queryValue(query, key) !== undefined).length;
  const selected = new Set(body.status ?? []);
  const [result, marks, directory] = await Promise.all([
    withOp(session, (op) => op.chatSearch(body)),
    withOp(session, (op) => op.markList()),
    operatorDirectory(session),
  ]);
  const markOptions = marks.ok ? (marks.value.data?.marks ?? []) : [];
  // "Today" as the API's clock and time zone have it (the envelope's foot), not the browser's.
  const today = result.ok ? result.value.foot.operationTime.slice(0, 10) : null;
  // The forms' fields start from the address (defaultValue): keyed by it, they follow it on client-side navigations too.
  const formKey = JSON.stringify(query);

  return (
    <>
      <h1>会话搜索</h1>
      <RememberSearch />
      <form key={formKey} className="card" method="get" action="/" data-testid="search-form">
        <FormFollowsAddress />
        <div className="search-main">
          <label>
            关键词
            <input
              type="search"
              name="keyword"
              maxLength={MAX_KEYWORD_LENGTH}
              defaultValue={queryValue(query, 'keyword') ?? ''}
              placeholder="消息内容包含…，如 退款"
            />
          </label>
          <button className="primary" type="submit">
            搜索
          </button>
        </div>
        {today ? (
          <nav className="presets" aria-label="按最后消息时间">
            最后消息：
            {DATE_PRESETS.map(({ days, label }) => {
              const current =
                queryValue(query, 'lastMessageFrom') === presetFrom(today, days) && queryValue(query, 'lastMessageTo') === undefined;
              return (
                <Link
                  key={days}
                  href={`/${withPreset(query, today, days)}`}
                  aria-current={current ? 'true' : undefined}
                  data-testid="date-preset"
                >
                  {label}
                </Link>
              );
            })}
          </nav>
        ) : null}
        <FilterPanel active={activeFilters}>
          <div className="filters">
            <fieldset className="statuses" style={{ border: 0, padding: 0, margin: 0 }}>
              <legend style={{ fontSize: 13, color: 'var(--muted-strong)' }}>状态</legend>
              {CHAT_STATUS_CODES.map((code) => (
                <label key={code}>
                  <input type="checkbox" name="status" value={code} defaultChecked={selected.has(code)} />
                  {CHAT_STATUS_LABELS[code]}
                </label>
              ))}
            </fieldset>
            <TimeRangeFields label="消息时间" from="messageTimeFrom" to="messageTimeTo" query={query} />
            <label>
              客户
              <CustomerPicker
                name="customerId"
                listId="customer-options"
                maxLength={MAX_CUSTOMER_ID_LENGTH}
                defaultValue={queryValue(query, 'customerId') ?? ''}
              />
            </label>
            <OperatorSelect operators={directory.operators} value={queryValue(query, 'operatorId')} />
            <label>
              会话 ID
              <input name="chatId" maxLength={MAX_CHAT_ID_LENGTH} defaultValue={queryValue(query, 'chatId') ?? ''} />
            </label>
            <label>
              标记
              <input
                name="mark"
                list="mark-options"
                autoComplete="off"
                maxLength={MAX_MARK_LENGTH}
                defaultValue={queryValue(query, 'mark') ?? ''}
              />
              <datalist id="mark-options">
                {markOptions.map((m) => (
                  <option key={m.mark} value={m.mark}>{`${m.mark}（${m.count}）`}</option>
                ))}
              </datalist>
            </label>
            <TimeRangeFields label="创建时间" from="createdFrom" to="createdTo" query={query} />
            <TimeRangeFields label="最后消息时间" from="lastMessageFrom" to="lastMessageTo" query={query} />
          </div>
          <FilterActions submit="应用筛选" clearHref="/" />
        </FilterPanel>
        {/* The order is picked beside the results (its own form); a new search keeps it. */}
        {body.sort !== undefined ? <input type="hidden" name="sort" value={body.sort} /> : null}
      </form>

      {!result.ok ? (
        <ErrorBox message={result.message} />
      ) : (
        <Results data={result.value.data} page={result.value.page} query={query} body={body} names={directory.names} />
      )}
    </>
  );
}

/** Which message times the keyword was looked for in, in words; null without a keyword. */
function searchScope(data: ChatSearchData, body: ChatSearchRequest): { text: string; narrowed: boolean } | null {
  if (body.keyword === undefined) return null;
  const { window } = data;
  if (window === null) return { text: '关键词搜索范围：全部历史', narrowed: false };
  const text = `关键词搜索范围：${window.from ?? '最早的消息'} 至 ${window.to ?? '最新的消息'}`;
  // A window other than the one asked for was the server's choice (while its index is built).
  return { text, narrowed: window.from !== (body.messageTimeFrom ?? null) || window.to !== (body.messageTimeTo ?? null) };
}

function Results({
  data,
  page,
  query,
  body,
  names,
}: {
  data: ChatSearchData;
  page: Parameters<typeof Pager>[0]['page'] | undefined;
  query: Query;
  body: ChatSearchRequest;
  names: OperatorNames;
}) {
  const scope = searchScope(data, body);
  const header = (
    <>
      {scope ? (
        <p className="result-note" data-testid="search-window">
          {scope.text}
          {scope.narrowed ? '（服务器本次只搜索了这段时间内的消息）' : ''}
        </p>
      ) : null}
      {body.keyword === undefined && (body.messageTimeFrom !== undefined || body.messageTimeTo !== undefined) ? (
        <p className="result-note" data-testid="message-time-note">
          消息时间只对关键词生效：没有关键词时不按它筛选
        </p>
      ) : null}
    </>
  );
  if (data.chats.length === 0 && isPastTheEnd(page)) {
    return (
      <div className="card">
        {header}
        <PastTheEnd page={page} first={`/${withPage(query, 1)}`} capped={data.totalCapped} />
      </div>
    );
  }
  if (data.chats.length === 0) {
    return (
      <div className="card">
        {header}
        <div className="empty" data-testid="empty">
          没有找到符合条件的会话
          {scope ? (
            <p data-testid="empty-window">{`已搜索 ${scope.text.replace('关键词搜索范围：', '')} 的消息，没有消息包含「${body.keyword}」。`}</p>
          ) : null}
        </div>
      </div>
    );
  }
  return (
    <div className="card">
      {header}
      <div className="result-head">
        {page ? (
          <p className="result-note" data-testid="result-total">
            共 {countText(page.total, data.totalCapped)} 个会话
            {data.totalCapped ? `（超过 ${countText(page.total)} 个后不再精确计数，可继续翻页）` : ''}
          </p>
        ) : null}
        <form key={JSON.stringify(query)} className="sort-form" method="get" action="/" data-testid="sort-form">
          <FormFollowsAddress />
          {hiddenFields(query, ['sort', 'page']).map(([name, value], i) => (
            <input key={`${name}-${i}`} type="hidden" name={name} value={value} />
          ))}
          <SortSelect options={SORT_OPTIONS} value={body.sort ?? ''} />
        </form>
      </div>
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
              <td data-label="会话">
                <Link href={`/chats/${encodeURIComponent(chat.chatId)}`}>{chat.chatId}</Link>
              </td>
              <td data-label="状态">
                <StatusBadge code={chat.statusCode} />
              </td>
              <td data-label="客户">{chat.customerId ?? '—'}</td>
              <td data-label="客服">
                <OperatorName id={chat.operatorId} names={names} />
              </td>
              <td data-label="创建时间">{chat.createTime}</td>
              <td data-label="最后消息">{chat.lastMessageTime ?? '—'}</td>
              <td data-label="消息数">{chat.messageCount}</td>
              <td data-label={chat.hits.length > 0 ? '命中' : undefined}>
                {chat.hits.map((hit) => (
                  <Link
                    key={hit.userMessageId}
                    className="hit"
                    data-testid="hit"
                    href={chatHref(chat.chatId, { around: hit.userMessageId, keyword: body.keyword })}
                  >
                    <small>{hit.createTime}</small> <Snippet snippet={hit.snippet} offsets={hit.offsets} />
                  </Link>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {page ? <Pager page={page} href={(n) => withPage(query, n)} capped={data.totalCapped} /> : null}
    </div>
  );
}
