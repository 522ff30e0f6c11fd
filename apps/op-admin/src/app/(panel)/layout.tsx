import Link from 'next/link';
import type { ReactNode } from 'react';
import { signOut } from '../actions';
import { requireSession } from '../../lib/op-server';

export default async function PanelLayout({ children }: { children: ReactNode }) {
  const session = await requireSession();
  return (
    <>
      <header className="nav">
        <span className="brand">Op 管理后台</span>
        <Link href="/">会话搜索</Link>
        <Link href="/favorites">我的收藏</Link>
        {session.role === 'admin' ? <Link href="/audit">审计日志</Link> : null}
        {session.role === 'admin' ? <Link href="/customers/erase">删除客户数据</Link> : null}
        <span className="who" data-testid="who">
          {session.username}（{session.role === 'admin' ? '管理员' : '客服'}）
        </span>
        <form action={signOut}>
          <button type="submit">退出登录</button>
        </form>
      </header>
      <main>{children}</main>
    </>
  );
}
