'use client';
// The session page's keyboard shortcuts: n / Shift+N next and previous match, ] / [ next and
// previous page, / the find box. Keys typed into a field (or with Ctrl, Alt or ⌘) are the
// field's; the find bar's help line lists them.
import { useRouter } from 'next/navigation';
import { useEffect } from 'react';

export interface ChatShortcutTargets {
  nextHit: string | null;
  previousHit: string | null;
  nextPage: string | null;
  previousPage: string | null;
}

const typing = (target: EventTarget | null) =>
  target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));

export function ChatShortcuts({ nextHit, previousHit, nextPage, previousPage }: ChatShortcutTargets) {
  const router = useRouter();
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey || event.isComposing || typing(event.target)) return;
      if (event.key === '/') {
        const box = document.getElementById('find-keyword');
        if (!box) return;
        event.preventDefault();
        box.focus();
        return;
      }
      const href =
        event.key === 'n'
          ? nextHit
          : event.key === 'N'
            ? previousHit
            : event.key === ']'
              ? nextPage
              : event.key === '['
                ? previousPage
                : null;
      if (!href) return;
      event.preventDefault();
      // A match moves within the page's scroll; a page starts at its top.
      router.push(href, { scroll: event.key === '[' || event.key === ']' });
    }
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [router, nextHit, previousHit, nextPage, previousPage]);
  return null;
}
