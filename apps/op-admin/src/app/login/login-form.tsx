'use client';
import { useActionState, useEffect, useRef, useState } from 'react';
import { signIn, type LoginState } from '@/app/actions';

export function LoginForm({ next }: { next: string | null }) {
  const [state, action, pending] = useActionState<LoginState, FormData>(signIn, { error: null });
  // Controlled, so a failed attempt (React resets a form after its action) keeps the username.
  const [username, setUsername] = useState('');
  // After a refusal the password (emptied by the reset) takes the focus, not <body>: the next
  // try is typed at once, and a screen reader is where the alert is.
  const password = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (state.error) password.current?.focus();
  }, [state]);
  return (
    <form action={action}>
      {next ? <input type="hidden" name="next" value={next} /> : null}
      <label>
        用户名
        <input
          name="username"
          autoComplete="username"
          required
          maxLength={64}
          value={username}
          onChange={(e) => setUsername(e.target.value)}
        />
      </label>
      <label>
        密码
        <input ref={password} name="password" type="password" autoComplete="current-password" required />
      </label>
      {state.error ? (
        <p className="error" role="alert" data-testid="login-error">
          {state.error}
        </p>
      ) : null}
      <button className="primary" type="submit" disabled={pending}>
        {pending ? '登录中…' : '登录'}
      </button>
    </form>
  );
}
