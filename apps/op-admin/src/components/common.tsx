import Link from 'next/link';
import { CHAT_STATUS_LABELS, type ChatStatus, type OperatorSummary, type PageInfo } from '@op/contracts';
import { countText, operatorLabel, type OperatorNames } from '@/lib/format';
import { localTimeValue, type Query } from '@/lib/search-query';
import { LinkPending } from './link-pending';
import { TimeInput } from './time-input';

export function StatusBadge({ code }: { code: ChatStatus }) {
  return (
    <span className={`badge status-${code}`} data-testid="status-badge">
      {CHAT_STATUS_LABELS[code] ?? String(code)}
    </span>
  );
}

/**
 * An operator by username, the id in its title (hover, long press); 未分配 for nobody. Isolated
 * (`<bdi>`): direction marks in a name turn only the name, not the line it stands in.
 */
export function OperatorName({ id, names }: { id: string | null; names: OperatorNames }) {
  const { text, title } = operatorLabel(id, names);
  return (
    <bdi title={title} data-testid="operator-name">
      {text}
    </bdi>
  );
}

/**
 * The operator filter of a GET form: the tenant's operators by name, the value their id. An id
 * in the URL that the list lacks stays selectable as itself, so the filter shown is the one applied.
 */
export function OperatorSelect({ operators, value }: { operators: readonly OperatorSummary[]; value: string | undefined }) {
  const listed = value === undefined || operators.some((o) => o.operatorId === value);
  return (
    <label>
      客服
      <select name="operatorId" defaultValue={value ?? ''} data-testid="operator-filter">
        <option value="">全部客服</option>
        {operators.map((o) => (
          <option key={o.operatorId} value={o.operatorId}>
            {o.username}
          </option>
        ))}
        {listed ? null : <option value={value}>{value}</option>}
      </select>
    </label>
  );
}

/** An API error as a person reads it: the envelope's message, never a stack. */
export function ErrorBox({ message }: { message: string }) {
  return (
    <div className="error" role="alert" data-testid="api-error">
      {message}
    </div>
  );
}

/**
 * An error of the API (away, failing) where a page's content should be, with the way on: the
 * same address loaded again (a full load, once the API answers) and the session search. The
 * bare message left the chat page a dead end until a reload.
 */
export function RetryBox({ message, href }: { message: string; href: string }) {
  return (
    <>
      <ErrorBox message={message} />
      <p className="muted" data-testid="api-error-retry">
        <a href={href}>重试</a> · <Link href="/">返回会话搜索</Link>
      </p>
    </>
  );
}

/** An empty page past the last of a list that is not empty (a bookmark, or the last row just removed). */
export const isPastTheEnd = (page: PageInfo | undefined): page is PageInfo => page !== undefined && page.total > 0 && page.page > 1;

/** A page past the last; `capped`: the total is a floor (chatSearch stops counting at its cap). */
export function PastTheEnd({ page, first, capped = false }: { page: PageInfo; first: string; capped?: boolean }) {
  return (
    <div className="card empty" data-testid="empty">
      这一页没有内容（共 {countText(page.total, capped)} 条）
      <p>
        <Link href={first}>回到第一页</Link>
      </p>
    </div>
  );
}

export function Forbidden({ title = '无权限', detail = '当前账号没有权限查看此页面。' }: { title?: string; detail?: string }) {
  return (
    <div className="forbidden card" data-testid="forbidden">
      <h1>{title}</h1>
      <p>{detail}</p>
      <Link href="/">返回会话搜索</Link>
    </div>
  );
}

/**
 * Previous/next links over a §2 page block; `href(n)` builds the URL of page n. A capped
 * total (more matched than the server counts) names no last page: `page.next` alone says
 * whether there is another.
 */
export function Pager({
  page,
  href,
  capped = false,
  label = '分页',
}: {
  page: PageInfo;
  href: (n: number) => string;
  capped?: boolean;
  /** The landmark's name: a second pager on the page needs its own (`分页（页尾）`). */
  label?: string;
}) {
  const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
  // The jump form submits to the same page with the same query, the page number its own.
  const base = new URL(href(1), 'http://panel.invalid');
  const kept = [...base.searchParams].filter(([name]) => name !== 'page');
  const link = (n: number, text: string, enabled: boolean) =>
    enabled ? (
      <Link href={href(n)}>
        {text}
        <LinkPending />
      </Link>
    ) : (
      <span className="disabled">{text}</span>
    );
  return (
    <nav className="pager" aria-label={label} data-testid="pager">
      {link(1, '首页', page.page > 1)}
      {link(page.page - 1, '上一页', page.page > 1)}
      <span data-testid="page-info">
        {capped
          ? `第 ${page.page} 页，共 ${countText(page.total, true)} 条`
          : `第 ${page.page} / ${pages} 页，共 ${countText(page.total)} 条`}
      </span>
      {link(page.page + 1, '下一页', page.next)}
      {capped ? null : link(pages, '末页', page.page < pages)}
      {capped || pages > 1 ? (
        <form className="jump" action={base.pathname} method="get" data-testid="page-jump">
          {kept.map(([name, value], i) => (
            <input key={`${name}-${i}`} type="hidden" name={name} value={value} />
          ))}
          <label>
            跳至第
            <input name="page" type="number" min={1} max={capped ? undefined : pages} defaultValue={page.page} required aria-label="页码" />
            页
          </label>
          <button type="submit">跳转</button>
        </form>
      ) : null}
    </nav>
  );
}

/**
 * A from/to pair of time filters, filled from the page URL. Plain text in the form the API and
 * every page of the panel write (`2026-12-01 09:30`), not the browser's locale format.
 */
export function TimeRangeFields({
  label,
  from,
  to,
  query,
  required = false,
}: {
  label: string;
  from: string;
  to: string;
  query: Query;
  /** Both ends must be given (the audit export): the browser says so before leaving the page. */
  required?: boolean;
}) {
  const field = (name: string) => <TimeInput name={name} required={required} defaultValue={localTimeValue(query, name)} />;
  return (
    <>
      <label>
        {label} 从{field(from)}
      </label>
      <label>
        {label} 到{field(to)}
      </label>
    </>
  );
}

/** A filter form's buttons: submit, and a link back to the page without filters. */
export function FilterActions({ submit, clearHref }: { submit: string; clearHref: string }) {
  return (
    <div className="actions">
      <button className="primary" type="submit">
        {submit}
      </button>
      <Link className="button secondary" href={clearHref}>
        清空条件
      </Link>
    </div>
  );
}
