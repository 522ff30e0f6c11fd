'use client';
import { useRouter } from 'next/navigation';
import { useEffect } from 'react';
import { readTab, writeTab } from '@/lib/tab-storage';

/** When this tab last changed a mark, a favorite or a customer (the panel server's clock). */
const KEY = 'op-admin:changed-at';

/** After an action succeeded: pages rendered before `at` are out of date. */
export function rememberChange(at: number): void {
  writeTab(KEY, String(at));
}

const changedAt = (): number => Number(readTab(KEY)) || 0;

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
