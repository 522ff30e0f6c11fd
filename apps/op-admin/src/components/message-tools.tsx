'use client';
// Marks and the favorite star of one message, changed in place through server actions, and a
// button that copies the message's link (the chat opened at its page, the message highlighted).
import { useRouter } from 'next/navigation';
import { useRef, useState, useSyncExternalStore, useTransition, type FormEvent } from 'react';
import { addMark, removeMark, setFavorite, type ActionResult } from '@/app/actions';
import { rememberChange } from '@/components/fresh-on-return';
import { useUnfavorite } from './favorite-row';

/** useSyncExternalStore's subscription for a value that never changes once hydrated. */
const nothingToWatch = () => () => undefined;

/**
 * Copies `text`: the Clipboard API where the page may use it (HTTPS, localhost), else the
 * older copy command over a selected, off-screen text field (a panel served over plain HTTP).
 */
async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Refused (permissions): try the copy command below.
  }
  const field = document.createElement('textarea');
  field.value = text;
  field.setAttribute('readonly', '');
  field.style.position = 'fixed';
  field.style.left = '-9999px';
  document.body.appendChild(field);
  field.select();
  try {
    return document.execCommand('copy');
  } finally {
    field.remove();
  }
}

export function MessageTools({
  messageId,
  link,
  marks: initialMarks,
  favorite: initialFavorite,
}: {
  messageId: string;
  /** The message's place in the panel (`/chats/<chatId>?around=<id>`). */
  link: string;
  marks: string[];
  favorite: boolean;
}) {
  const router = useRouter();
  const [marks, setMarks] = useState(initialMarks);
  // null: unknown (a change that got no answer may have been made); a press then asks for
  // `wanted` again (adding or removing twice is no error).
  const [favorite, setFav] = useState<boolean | null>(initialFavorite);
  const [wanted, setWanted] = useState(!initialFavorite);
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const onUnfavorite = useUnfavorite();
  const input = useRef<HTMLInputElement>(null);
  // True once these controls act (hydrated: the page's script has taken over); tests wait for it.
  const ready = useSyncExternalStore(
    nothingToWatch,
    () => true,
    () => false,
  );

  function handle<T>(result: ActionResult<T>, apply: (data: T) => void, unsure?: () => void) {
    if (result.ok) {
      setError(null);
      rememberChange(result.changedAt);
      apply(result.data);
    } else if (result.signIn) {
      router.push(result.signIn);
    } else {
      if (result.unsure) {
        // It may have been made: pages rendered before now may be stale (FreshOnReturn).
        rememberChange(Date.now());
        unsure?.();
      }
      setError(result.message);
    }
  }

  const starLabel =
    favorite === null ? (wanted ? '收藏（未能确认是否已收藏）' : '取消收藏（未能确认是否已取消）') : favorite ? '取消收藏' : '收藏';

  function onAdd(event: FormEvent) {
    event.preventDefault();
    if (pending) return;
    const mark = draft.trim();
    if (!mark) {
      setError('请输入标记内容');
      return;
    }
    startTransition(async () => {
      handle(await addMark(messageId, mark), (data) => {
        setMarks(data.mark);
        setDraft('');
      });
    });
  }

  return (
    <div className="tools" data-testid="message-tools" data-ready={ready ? 'true' : undefined}>
      {/* No control here is `disabled` while saving (aria-disabled, and a press meanwhile does nothing): a disabled button loses focus, and a keyboard user's focus would fall to the page. */}
      <button
        type="button"
        className={favorite === null ? 'star unsure' : favorite ? 'star on' : 'star'}
        aria-pressed={favorite === null ? 'mixed' : favorite}
        aria-label={starLabel}
        aria-busy={pending}
        title={starLabel}
        data-testid="favorite"
        onClick={() => {
          if (pending) return;
          const target = favorite === null ? wanted : !favorite;
          startTransition(async () => {
            handle(
              await setFavorite(messageId, target),
              (data) => {
                setFav(data.favorite);
                if (!data.favorite) onUnfavorite?.();
              },
              () => {
                setFav(null);
                setWanted(target);
              },
            );
          });
        }}
      >
        {favorite === null ? '☆?' : favorite ? '★' : '☆'}
      </button>
      <button
        type="button"
        className="small copy-link"
        data-testid="copy-link"
        title="复制这条消息的链接"
        onClick={() => {
          void copyText(new URL(link, window.location.origin).href).then((ok) => {
            setCopied(ok ? '已复制链接' : '复制失败，请手动复制地址栏');
            setTimeout(() => setCopied(null), 2500);
          });
        }}
      >
        复制链接
      </button>
      <span className="copied" role="status" aria-live="polite">
        {copied}
      </span>
      {marks.map((mark) => (
        <span key={mark} className="chip" data-testid="mark-chip">
          {mark}
          <button
            type="button"
            aria-label={`移除标记 ${mark}`}
            aria-disabled={pending}
            onClick={() =>
              !pending &&
              startTransition(async () => {
                handle(await removeMark(messageId, mark), (data) => {
                  setMarks(data.mark);
                  // The chip and its button are gone: focus goes to the mark box beside them.
                  input.current?.focus();
                });
              })
            }
          >
            ×
          </button>
        </span>
      ))}
      <form onSubmit={onAdd} style={{ display: 'inline-flex', gap: 4 }}>
        <input
          ref={input}
          aria-label="新标记"
          placeholder="添加标记"
          maxLength={32}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
        />
        <button type="submit" className="small" aria-disabled={pending}>
          添加
        </button>
      </form>
      {error ? (
        <span className="tool-error" role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}
