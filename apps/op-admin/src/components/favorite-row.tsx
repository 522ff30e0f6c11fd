'use client';
// A row of the favorites page: it goes as soon as its star is turned off (the page lists
// favorites only), focus moves to the next row's star, or the page heading, and the page is
// read again: its count, the next page's first favorite, or its empty state once none is left.
import { useRouter } from 'next/navigation';
import { createContext, useContext, useRef, useState, type ReactNode } from 'react';

const UnfavoriteContext = createContext<(() => void) | null>(null);

/** Inside a favorites row: called once the message is no longer a favorite. */
export function useUnfavorite(): (() => void) | null {
  return useContext(UnfavoriteContext);
}

export function FavoriteRow({ messageId, children }: { messageId: string; children: ReactNode }) {
  const [removed, setRemoved] = useState(false);
  const row = useRef<HTMLTableRowElement>(null);
  const router = useRouter();
  const onUnfavorite = () => {
    const next = row.current?.nextElementSibling?.querySelector<HTMLElement>('[data-testid="favorite"]');
    setRemoved(true);
    (next ?? document.querySelector<HTMLElement>('h1'))?.focus();
    router.refresh();
  };
  if (removed) return null;
  return (
    <UnfavoriteContext.Provider value={onUnfavorite}>
      <tr ref={row} data-testid="favorite-row" data-message-id={messageId}>
        {children}
      </tr>
    </UnfavoriteContext.Provider>
  );
}
