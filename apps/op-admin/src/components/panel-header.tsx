import Link from 'next/link';
import { signOut } from '@/app/actions';
import type { Session } from '@/lib/op-server';
import { SignOutButton } from './sign-out-button';

/** The panel's header: its pages, who is signed in, sign-out; or a sign-in link when nobody is. */
export function PanelHeader({ session }: { session: Session | null }) {
  return (
    <header className="nav">
      <a className="skip-link" href="#main">
        跳到正文
      </a>
      <span className="brand">Op 客服管理后台</span>
      {session ? (
        <>
          <Link href="/">会话搜索</Link>
          <Link href="/favorites">我的收藏</Link>
          {session.role === 'admin' ? <Link href="/audit">审计日志</Link> : null}
          {session.role === 'admin' ? <Link href="/easemob-gaps">归档完整性</Link> : null}
          {session.role === 'admin' ? <Link href="/customers/erase">删除客户数据</Link> : null}
          <span className="who" data-testid="who">
            {session.username}（{session.role === 'admin' ? '管理员' : '客服'}）
          </span>
          <form action={signOut}>
            <SignOutButton />
          </form>
        </>
      ) : (
        <Link href="/login" className="who">
          登录
        </Link>
      )}
    </header>
  );
}
