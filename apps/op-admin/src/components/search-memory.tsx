'use client';
import Link from 'next/link';
import { useEffect, useSyncExternalStore } from 'react';
import { readTab, writeTab } from '@/lib/tab-storage';

/** This tab's last search (its address query), so a chat opened from it can lead back to it. */
const KEY = 'op-admin:last-search';

/** On the search page: remembers its address for this tab. */
export function RememberSearch() {
  useEffect(() => writeTab(KEY, window.location.search));
  return null;
}

const noChange = () => () => undefined;
const lastSearch = () => readTab(KEY);

/** "← 返回会话搜索": back to this tab's last search, filters and page included; a fresh one without. */
export function BackToSearch() {
  // Read once the page is in the browser (the server has no tab): until then, a fresh search.
  const search = useSyncExternalStore(noChange, lastSearch, () => null);
  return (
    <Link href={search?.startsWith('?') ? `/${search}` : '/'} data-testid="back-to-search">
      ← 返回会话搜索
    </Link>
  );
}
