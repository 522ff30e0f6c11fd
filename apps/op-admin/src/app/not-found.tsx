import type { Metadata } from 'next';
import Link from 'next/link';
import { PanelHeader } from '@/components/panel-header';
import { readSession } from '@/lib/op-server';

export const metadata: Metadata = { title: '页面不存在' };

export default async function NotFound() {
  const session = await readSession();
  return (
    <>
      <PanelHeader session={session} />
      <main id="main" tabIndex={-1}>
        <div className="forbidden card" data-testid="not-found">
          <h1>页面不存在</h1>
          <p>地址可能输错了，或者该页面已被移除。</p>
          <Link href="/">返回会话搜索</Link>
        </div>
      </main>
    </>
  );
}
