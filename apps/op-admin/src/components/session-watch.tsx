'use client';
import { useRouter } from 'next/navigation';
import { useEffect } from 'react';

/** Who this browser's panel tabs are signed in as, shared by them (localStorage): never the token. */
const KEY = 'op-admin:signed-in-as';

/**
 * Keeps every tab of the panel on the browser's one session (its cookie): a tab announces whom
 * it shows (`who`: '' when nobody), and a tab that sees another tab announce someone else (a
 * sign-out, or another account signed in there) renders its page again, header included, as
 * that session: signed out, it is sent to sign-in. Without this a tab kept showing the old
 * account's name and links until reloaded.
 */
export function SessionWatch({ who }: { who: string }) {
  const router = useRouter();
  useEffect(() => {
    try {
      localStorage.setItem(KEY, who);
    } catch {
      // refused (private mode): each tab finds out on its next page
    }
    const onStorage = (event: StorageEvent) => {
      if (event.key === KEY && event.newValue !== who) router.refresh();
    };
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  }, [who, router]);
  return null;
}
