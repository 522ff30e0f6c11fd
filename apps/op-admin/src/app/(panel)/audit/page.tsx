import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { AUDIT_ACTION_LABELS, AUDIT_ACTIONS, type AuditListRequest, type AuditRecord } from '@op/contracts';
import {
  ErrorBox,
  FilterActions,
  Forbidden,
  OperatorName,
  OperatorSelect,
  Pager,
  PastTheEnd,
  TimeRangeFields,
  isPastTheEnd,
} from '@/components/common';
import { fieldLabel, valueLabel, type OperatorNames } from '@/lib/format';
import { requireSession, withOp } from '@/lib/op-server';
import { operatorDirectory } from '@/lib/operators';
import { hasEmptyFields, pageNumOf, queryValue, toApiTime, withPage, type Query } from '@/lib/search-query';

export const metadata: Metadata = { title: '审计日志' };

export default async function AuditPage({ searchParams }: { searchParams: Promise<Query> }) {
  const session = await requireSession();
  // Agents never see this page; the API refuses them too (403), which lands on the same answer.
  if (session.role !== 'admin') return <Forbidden />;
  const query = await searchParams;
  // A GET form sends every field, empty or not: the address keeps only those with a value (as on the search page).
  if (hasEmptyFields(query)) {
    const kept = withPage(query, pageNumOf(query));
    redirect(kept === '?' ? '/audit' : `/audit${kept}`);
  }
  const pageNum = pageNumOf(query);
  const body: AuditListRequest = { pageNum, pageSize: 50 };
  const operatorId = queryValue(query, 'operatorId');
  const action = queryValue(query, 'action');
  const chatId = queryValue(query, 'chatId');
  const from = toApiTime(queryValue(query, 'from'), false);
  const to = toApiTime(queryValue(query, 'to'), true);
  if (operatorId) body.operatorId = operatorId;
  if (action) body.action = action as AuditListRequest['action'];
  if (chatId) body.chatId = chatId;
  if (from) body.from = from;
  if (to) body.to = to;
  const [result, directory] = await Promise.all([withOp(session, (op) => op.auditList(body)), operatorDirectory(session)]);
  if (!result.ok && result.code === 403) return <Forbidden />;

  return (
    <>
      <h1>审计日志</h1>
      <form className="card" method="get" action="/audit">
        <div className="filters">
          <OperatorSelect operators={directory.operators} value={operatorId} />
          <label>
            操作
            <select name="action" defaultValue={action ?? ''}>
              <option value="">全部</option>
              {AUDIT_ACTIONS.map((a) => (
                <option key={a} value={a}>
                  {AUDIT_ACTION_LABELS[a]}
                </option>
              ))}
            </select>
          </label>
          <label>
            会话 ID
            <input name="chatId" defaultValue={chatId ?? ''} />
          </label>
          <TimeRangeFields label="时间" from="from" to="to" query={query} />
        </div>
        <FilterActions submit="查询" clearHref="/audit" />
      </form>
      <form className="card" method="get" action="/audit/export" data-testid="audit-export">
        <div className="filters">
          <TimeRangeFields label="导出时间" from="from" to="to" query={query} required />
          {operatorId ? <input type="hidden" name="operatorId" value={operatorId} /> : null}
          {action ? <input type="hidden" name="action" value={action} /> : null}
          {chatId ? <input type="hidden" name="chatId" value={chatId} /> : null}
        </div>
        <div className="actions">
          <button className="primary" type="submit">
            导出 CSV
          </button>
        </div>
      </form>
      {!result.ok ? (
        <ErrorBox message={result.message} />
      ) : result.value.data.records.length === 0 && isPastTheEnd(result.value.page) ? (
        <PastTheEnd page={result.value.page} first={`/audit${withPage(query, 1)}`} />
      ) : result.value.data.records.length === 0 ? (
        <div className="card empty" data-testid="empty">
          没有符合条件的审计记录
        </div>
      ) : (
        <div className="card">
          <table data-testid="audit">
            <thead>
              <tr>
                <th>时间</th>
                <th>操作人</th>
                <th>客户端</th>
                <th>操作</th>
                <th>会话</th>
                <th>对象</th>
                <th>来源 IP</th>
              </tr>
            </thead>
            <tbody>
              {result.value.data.records.map((r, i) => (
                <tr key={i} data-testid="audit-row">
                  <td data-label="时间">{r.time}</td>
                  <td data-label="操作人">
                    <OperatorName id={r.operatorId} names={directory.names} />
                  </td>
                  <td data-label="客户端">{r.clientId}</td>
                  <td data-label="操作" data-testid="audit-action">
                    {AUDIT_ACTION_LABELS[r.action] ?? r.action}
                  </td>
                  <td data-label="会话">{r.chatId ? <Link href={`/chats/${encodeURIComponent(r.chatId)}`}>{r.chatId}</Link> : '—'}</td>
                  <td data-label="对象">
                    <Target record={r} names={directory.names} />
                  </td>
                  <td data-label="来源 IP">{r.ip}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {result.value.page ? <Pager page={result.value.page} href={(n) => `/audit${withPage(query, n)}`} /> : null}
        </div>
      )}
    </>
  );
}

/** Names of the target's keys, as an admin reads them; others show as sent. */
const TARGET_KEYS: Record<string, string> = {
  chatId: '会话',
  messageId: '消息',
  mark: '标记',
  pageNum: '页码',
  pageSize: '每页',
  aroundMessageId: '定位消息',
  keyword: '关键词',
  format: '格式',
  status: '状态',
  customerId: '客户',
  operatorId: '客服',
  sort: '排序',
  customerIdSha256: '客户 ID 摘要',
  chats: '会话数',
  messages: '消息数',
  marks: '标记数',
  favorites: '收藏数',
  from: '从',
  to: '到',
};

/** A target value as an admin reads it: an order, a status (or several) by its name, text as sent (an operator: by name, below). */
function targetValue(key: string, value: unknown): string {
  const named = (item: unknown) => valueLabel(key, String(item)) ?? (typeof item === 'string' ? item : JSON.stringify(item));
  return Array.isArray(value) && key === 'status' ? value.map(named).join('、') : named(value);
}

function Target({ record, names }: { record: AuditRecord; names: OperatorNames }) {
  const entries = Object.entries(record.target).filter(([key, value]) => !(key === 'chatId' && value === record.chatId));
  if (entries.length === 0) return <>—</>;
  return (
    <ul className="target">
      {entries.map(([key, value]) => (
        <li key={key}>
          <span className="key">{TARGET_KEYS[key] ?? fieldLabel(key) ?? key}</span>
          {key === 'operatorId' && typeof value === 'string' ? <OperatorName id={value} names={names} /> : targetValue(key, value)}
        </li>
      ))}
    </ul>
  );
}
