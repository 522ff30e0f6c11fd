import { redirect } from 'next/navigation';
import { readSession } from '../../lib/op-server';
import { LoginForm } from './login-form';

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ expired?: string }> }) {
  const { expired } = await searchParams;
  if (!expired && (await readSession())) redirect('/');
  return (
    <main className="login card">
      <h1>Op 客服管理后台</h1>
      {expired ? <p className="error">登录已过期或已退出，请重新登录</p> : null}
      <LoginForm />
    </main>
  );
}
