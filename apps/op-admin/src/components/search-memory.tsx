'use client';
import Link from 'next/link';
import { useEffect, useSyncExternalStore } from 'react';

/** This tab's last search (its address query), so a chat opened from it can lead back to it. */
const KEY = 'op-admin:last-search';

/** On the search page: remembers its address for this tab. */
export function RememberSearch() {
  useEffect(() => {
    try {
      sessionStorage.setItem(KEY, window.location.search);
    } catch {
      // storage refused (private mode, quota): the link below falls back to a fresh search
    }
  });
  return null;
}

const noChange = () => () => undefined;
function lastSearch(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null; // as above
  }
}

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
