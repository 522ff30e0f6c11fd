'use client';
// "在此会话中查找": the keyword box of the session page with the match count and next/previous.
// Every state is a URL the server renders (links work without JavaScript); the script adds
// Enter / Shift+Enter in the box.
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState, useTransition, type KeyboardEvent, type RefObject } from 'react';
import { chatHref } from '@/lib/find-in-chat';

export interface FindBarProps {
  chatId: string;
  /** The keyword being found, '' when none. */
  keyword: string;
  /** "第 3 / 57 处" / "共 57 处"; null when there is no keyword or the search failed. */
  count: string | null;
  /** No message of the chat holds the keyword. */
  empty: boolean;
  nextHref: string | null;
  previousHref: string | null;
  /** What the server searched when it was not the whole chat, in words. */
  windowText: string | null;
  error: string | null;
}

/**
 * Keeps what the keyboard focuses clear of the sticky bar: the page's scroll padding follows the
 * bar's height (it wraps on a narrow screen, at 200 % zoom). Without it a control Tab reached
 * (a star, a mark's 添加, the pager) was scrolled to the top edge, under the bar.
 */
function useScrollPaddingFor(bar: RefObject<HTMLElement | null>): void {
  useEffect(() => {
    const element = bar.current;
    if (!element) return;
    const root = document.documentElement;
    const follow = () => {
      root.style.scrollPaddingTop = `${element.getBoundingClientRect().height + 8}px`;
    };
    follow();
    const observer = new ResizeObserver(follow);
    observer.observe(element);
    return () => {
      observer.disconnect();
      root.style.scrollPaddingTop = '';
    };
  }, [bar]);
}

export function FindBar({ chatId, keyword, count, empty, nextHref, previousHref, windowText, error }: FindBarProps) {
  // Without a keyword the bar leads back to the chat alone; a new keyword starts at its first match.
  const action = chatHref(chatId);
  const searchHref = (wanted: string) => (wanted === '' ? action : chatHref(chatId, { keyword: wanted, hit: 1 }));
  const router = useRouter();
  const [draft, setDraft] = useState(keyword);
  const [shown, setShown] = useState(keyword);
  const [pending, startTransition] = useTransition();
  const bar = useRef<HTMLElement>(null);
  useScrollPaddingFor(bar);
  if (shown !== keyword) {
    // Another keyword arrived through the URL (back, a link): the box follows it.
    setShown(keyword);
    setDraft(keyword);
  }

  // The bar stays mounted across these moves (only the URL's query changes), so the caret stays
  // in the box and Enter can be pressed again.
  function go(href: string) {
    startTransition(() => router.push(href, { scroll: false }));
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    // Enter also confirms an input method's candidate (typing Chinese): that is not a search.
    if (event.key !== 'Enter' || event.nativeEvent.isComposing) return;
    event.preventDefault();
    if (pending) return;
    const wanted = draft.trim();
    if (wanted === keyword && wanted !== '') {
      const href = event.shiftKey ? previousHref : nextHref;
      if (href) go(href);
      return;
    }
    go(searchHref(wanted));
  }

  return (
    <section ref={bar} className="card find-bar" role="search" aria-label="在此会话中查找" data-testid="find-bar">
      <form
        method="get"
        action={action}
        onSubmit={(event) => {
          event.preventDefault();
          const wanted = draft.trim();
          go(searchHref(wanted));
        }}
      >
        <label htmlFor="find-keyword">在此会话中查找</label>
        <div className="find-row">
          <input
            id="find-keyword"
            name="keyword"
            type="search"
            enterKeyHint="search"
            placeholder="输入关键词"
            maxLength={64}
            autoComplete="off"
            aria-describedby="find-help"
            value={draft}
            onChange={(event) => setDraft(event.target.value)}
            onKeyDown={onKeyDown}
          />
          <input type="hidden" name="hit" value="1" />
          <button type="submit" className="small">
            查找
          </button>
          {count !== null ? (
            <span className="find-count" data-testid="find-count" aria-live="polite">
              {count}
            </span>
          ) : null}
          <StepLink href={previousHref} label="上一处" symbol="↑" />
          <StepLink href={nextHref} label="下一处" symbol="↓" />
          {keyword ? (
            <Link className="find-clear" href={action} scroll={false}>
              清除
            </Link>
          ) : null}
        </div>
        <p className="find-help" id="find-help">
          在框内按回车到下一处，Shift+回车到上一处。快捷键：<kbd>n</kbd> / <kbd>Shift</kbd>+<kbd>N</kbd> 下一处 / 上一处，
          <kbd>]</kbd> / <kbd>[</kbd> 下一页 / 上一页，<kbd>/</kbd> 到查找框
        </p>
        {empty ? (
          <p className="find-empty" data-testid="find-empty" role="status">
            此会话中没有找到“{keyword}”
          </p>
        ) : null}
        {windowText ? (
          <p className="find-help" data-testid="find-window">
            {windowText}
          </p>
        ) : null}
        {error ? (
          <p className="tool-error" role="alert" data-testid="find-error">
            {error}
          </p>
        ) : null}
      </form>
    </section>
  );
}

function StepLink({ href, label, symbol }: { href: string | null; label: string; symbol: string }) {
  const text = (
    <>
      <span aria-hidden="true">{symbol}</span> {label}
    </>
  );
  return href ? (
    <Link className="find-step" href={href} scroll={false} aria-label={label}>
      {text}
    </Link>
  ) : (
    <span className="find-step disabled" aria-disabled="true" aria-label={label}>
      {text}
    </span>
  );
}
