import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { EASEMOB_GAP_STATE_LABELS, type EasemobGapsData, type EasemobGapsRequest } from '@op/contracts';
import { ErrorBox, FilterActions, Forbidden, TimeRangeFields } from '@/components/common';
import { requireSession, withOp } from '@/lib/op-server';
import { hasEmptyFields, queryValue, toApiTime, withPage, type Query } from '@/lib/search-query';

export const metadata: Metadata = { title: '归档完整性' };

const PATH = '/easemob-gaps';

/**
 * Admins: the Easemob hours the archive may lack (easemobGaps), with the opctl command that
 * reconciles them. Without a range the API checks the last 24 hours; the form then shows that range.
 */
export default async function EasemobGapsPage({ searchParams }: { searchParams: Promise<Query> }) {
  const session = await requireSession();
  // Agents never see this page; the API refuses them too (403), which lands on the same answer.
  if (session.role !== 'admin') return <Forbidden />;
  const query = await searchParams;
  // A GET form sends every field, empty or not: the address keeps only those with a value.
  if (hasEmptyFields(query)) {
    const kept = withPage(query, 1);
    redirect(kept === '?' ? PATH : `${PATH}${kept}`);
  }
  const body: EasemobGapsRequest = {};
  const from = toApiTime(queryValue(query, 'from'), false);
  const to = toApiTime(queryValue(query, 'to'), true);
  if (from) body.from = from;
  if (to) body.to = to;
  const result = await withOp(session, (op) => op.easemobGaps(body));
  if (!result.ok && result.code === 403) return <Forbidden />;
  const data = result.ok ? result.value.data : null;
  // The fields show the range checked: the URL's as typed, or the API's default to the minute.
  const shown: Query = {
    from: queryValue(query, 'from') ?? data?.from.slice(0, 16),
    to: queryValue(query, 'to') ?? data?.to.slice(0, 16),
  };

  return (
    <>
      <h1>归档完整性</h1>
      <p className="result-note">
        每个小时结束后，系统从环信下载该小时的历史消息并与存档逐条核对（对账），补上回调漏掉的消息。这里列出所选时间内还没有对账成功的小时；尚未结束的小时不在其中。
      </p>
      <form className="card" method="get" action={PATH}>
        <div className="filters">
          <TimeRangeFields label="时间" from="from" to="to" query={shown} />
        </div>
        <FilterActions submit="检查" clearHref={PATH} />
      </form>
      {!data ? <ErrorBox message={result.ok ? '无法读取结果' : result.message} /> : <Gaps data={data} />}
    </>
  );
}

function Gaps({ data }: { data: EasemobGapsData }) {
  if (data.appkeys.length === 0) {
    return (
      <div className="card command-hint" data-testid="no-credentials">
        <p>本租户还没有设置环信 REST 凭据（Client ID 和 Client Secret），系统无法从环信下载历史消息对账。请在服务器上设置：</p>
        <pre className="command">{`opctl easemob:app --tenant ${data.tenantId} --appkey <org#app> --callback-secret <回调密钥> --client-id <Client ID> --client-secret <Client Secret>`}</pre>
      </div>
    );
  }
  if (data.hours === 0) {
    return (
      <div className="card empty" data-testid="empty">
        所选时间内还没有已结束的小时
      </div>
    );
  }
  const apps = data.appkeys.join('、');
  if (data.gaps.length === 0) {
    return (
      <div className="card empty" data-testid="empty">
        所选时间内的 {data.hours} 个小时都已与环信对账完成（{apps}）
      </div>
    );
  }
  const hours = data.gaps.map((g) => g.easemobHour).sort();
  return (
    <>
      <div className="card">
        <p className="result-note" data-testid="gap-count">
          共检查 {data.hours} 个小时（{apps}），其中 {data.gaps.length} 个未对账成功
        </p>
        <table data-testid="gaps">
          <thead>
            <tr>
              <th>小时</th>
              <th>应用</th>
              <th>状态</th>
              <th>原因</th>
              <th>最近一次对账</th>
            </tr>
          </thead>
          <tbody>
            {data.gaps.map((g) => (
              <tr key={`${g.appkey} ${g.easemobHour}`} data-testid="gap-row">
                <td data-label="小时" title={`环信小时 ${g.easemobHour}`}>
                  {g.hour.slice(0, 16)}
                </td>
                <td data-label="应用">{g.appkey}</td>
                <td data-label="状态">
                  <span className={`badge gap-${g.state}`} data-testid="gap-state">
                    {EASEMOB_GAP_STATE_LABELS[g.state] ?? g.state}
                  </span>
                </td>
                <td data-label="原因">{g.reason ?? '—'}</td>
                <td data-label="最近一次对账">{g.lastRunTime ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="card command-hint" data-testid="reconcile-hint">
        <p>在服务器上补对账（小时为环信的时区，格式 yyyyMMddHH；已对账的小时会再核对一次，不会重复存储）：</p>
        <pre
          className="command"
          data-testid="reconcile-command"
        >{`opctl easemob:reconcile --tenant ${data.tenantId} --from ${hours[0]} --to ${hours[hours.length - 1]}`}</pre>
      </div>
    </>
  );
}
