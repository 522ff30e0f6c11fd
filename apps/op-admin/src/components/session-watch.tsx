'use client';
import { useEffect, useRef, useState } from 'react';
import { createPortal } from 'react-dom';

/** Who this browser's panel tabs are signed in as, shared by them (localStorage): never the token. */
const KEY = 'op-admin:signed-in-as';

/**
 * Keeps a tab from passing for the browser's old session: a tab announces whom it shows (`who`:
 * '' when nobody), and a tab that sees another tab announce someone else (a sign-out, or another
 * account signed in there) covers its page with a notice and a reload button. It does not reload
 * by itself: a chat page read again would be recorded in the audit trail as the other account's.
 * `listen` false: announce only (the sign-in page).
 */
export function SessionWatch({ who, listen = true }: { who: string; listen?: boolean }) {
  const [changed, setChanged] = useState(false);
  useEffect(() => {
    try {
      localStorage.setItem(KEY, who);
    } catch {
      // refused (private mode): each tab finds out on its next page
    }
    if (!listen) return;
    const onStorage = (event: StorageEvent) => {
      if (event.key === KEY) setChanged(event.newValue !== who);
    };
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  }, [who, listen]);
  const dialog = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!changed) return;
    // The page behind is out of reach until reloaded: focus, clicks and the page's keys (`]`
    // turned the page, Tab reached a ☆, both as the other account). The notice is a child of
    // <body> (a portal), and everything else in <body> is made inert; keys other than Tab stop
    // at the window before the page's listeners (a button's own Enter still presses it).
    const others = [...document.body.children].filter(
      (element): element is HTMLElement => element instanceof HTMLElement && element !== dialog.current && !element.inert,
    );
    for (const element of others) element.inert = true;
    const keys = (event: KeyboardEvent) => {
      if (event.key !== 'Tab') event.stopPropagation();
    };
    window.addEventListener('keydown', keys, true);
    return () => {
      for (const element of others) element.inert = false;
      window.removeEventListener('keydown', keys, true);
    };
  }, [changed]);
  if (!changed) return null;
  return createPortal(
    <div
      ref={dialog}
      className="session-changed"
      role="alertdialog"
      aria-modal="true"
      aria-labelledby="session-changed-title"
      data-testid="session-changed"
    >
      <div className="card">
        <h2 id="session-changed-title">登录状态已变化</h2>
        <p>此浏览器已在其他标签页退出或换了账号，本页显示的内容可能已不属于当前账号。</p>
        <button className="primary" type="button" autoFocus onClick={() => window.location.reload()}>
          重新加载
        </button>
      </div>
    </div>,
    document.body,
  );
}
