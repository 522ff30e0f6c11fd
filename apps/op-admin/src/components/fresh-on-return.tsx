'use client';
import { useRouter } from 'next/navigation';
import { useEffect } from 'react';

/** When this tab last changed a mark, a favorite or a customer (the panel server's clock). */
const KEY = 'op-admin:changed-at';

/** After an action succeeded: pages rendered before `at` are out of date. */
export function rememberChange(at: number): void {
  try {
    sessionStorage.setItem(KEY, String(at));
  } catch {
    // storage refused: Back may show the page as cached, a reload shows it as it is
  }
}

function changedAt(): number {
  try {
    return Number(sessionStorage.getItem(KEY)) || 0;
  } catch {
    return 0;
  }
}

/**
 * Put on a page that shows marks or favorites, with the time the server rendered it. Back and
 * Forward show a page as the browser (or Next's router) cached it: when this tab changed
 * something since that render, the page is fetched again. A page just rendered is left alone,
 * so a visit costs one read of the chat, not two.
 */
export function FreshOnReturn({ renderedAt }: { renderedAt: number }) {
  const router = useRouter();
  useEffect(() => {
    const check = () => {
      if (changedAt() > renderedAt) router.refresh();
    };
    check();
    const onShow = (event: PageTransitionEvent) => {
      if (event.persisted) check();
    };
    window.addEventListener('pageshow', onShow);
    return () => window.removeEventListener('pageshow', onShow);
  }, [renderedAt, router]);
  return null;
}
