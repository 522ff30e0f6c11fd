import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { readSession } from '@/lib/op-server';
import { safeNext } from '@/lib/safe-next';
import { SessionWatch } from '@/components/session-watch';
import { LoginForm } from './login-form';

export const metadata: Metadata = { title: '登录' };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ expired?: string; next?: string }> }) {
  const { expired, next: rawNext } = await searchParams;
  const next = safeNext(rawNext);
  if (!expired && (await readSession())) redirect(next ?? '/');
  return (
    <main className="login card">
      <h1>Op 客服管理后台</h1>
      {expired ? <p className="error">登录已过期或已退出，请重新登录</p> : null}
      {next && !expired ? <p className="notice">请先登录，登录后将打开你要访问的页面</p> : null}
      <LoginForm next={next} />
      {/* Nobody is signed in here: the panel's other tabs say so. */}
      <SessionWatch who="" listen={false} />
    </main>
  );
}
