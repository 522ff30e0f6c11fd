'use client';
import { useLinkStatus } from 'next/link';

/**
 * Inside a <Link>: says the page it leads to is on its way. A change of page within a route
 * (the next page of a chat) keeps the old page on screen until the new one arrives, with no
 * loading screen, so a slow answer would otherwise look like a click that did nothing.
 */
export function LinkPending() {
  const { pending } = useLinkStatus();
  return pending ? (
    <span className="link-pending" role="status" data-testid="link-pending">
      加载中…
    </span>
  ) : null;
}
