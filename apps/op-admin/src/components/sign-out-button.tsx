'use client';
import { useFormStatus } from 'react-dom';

/**
 * The header's sign-out button: while the token is being revoked it says so and takes no
 * second press (a slow API held the page as it was, with nothing to show the press was taken).
 */
export function SignOutButton() {
  const { pending } = useFormStatus();
  return (
    <button type="submit" disabled={pending} aria-busy={pending} data-testid="sign-out">
      {pending ? '正在退出…' : '退出登录'}
    </button>
  );
}
