import type { Metadata } from 'next';
import { MAX_CUSTOMER_ID_LENGTH } from '@op/contracts';
import { Forbidden } from '@/components/common';
import { requireSession } from '@/lib/op-server';
import { queryValue, type Query } from '@/lib/search-query';
import { EraseForm } from './erase-form';

export const metadata: Metadata = { title: '删除客户数据' };

/** Admins: erase a customer (customerErase), behind typing the customer id again. */
export default async function EraseCustomerPage({ searchParams }: { searchParams: Promise<Query> }) {
  const session = await requireSession();
  if (session.role !== 'admin') return <Forbidden />;
  const customerId = queryValue(await searchParams, 'customerId') ?? '';
  return (
    <>
      <h1>删除客户数据</h1>
      <section className="card danger">
        <p>
          将永久删除该客户在本租户的<strong>全部会话</strong>及其中的消息、标记、收藏和搜索索引，<strong>无法恢复</strong>。
          审计日志只保留一条删除记录（操作人、时间和数量）。删除期间或之后该客户发来的新消息会进入新的会话。
        </p>
        <EraseForm initialCustomerId={customerId} maxLength={MAX_CUSTOMER_ID_LENGTH} />
      </section>
    </>
  );
}
