import { findKeyword, type ChatMessage } from '@op/contracts';
import { mediaOrigins, messageView } from '@/lib/format';
import { Snippet } from './snippet';
import { Thumb } from './thumb';

/** A link to a voice or video file after its duration, when the message has one. */
function MediaLink({ url, label }: { url: string | null | undefined; label: string }) {
  if (!url) return null;
  return (
    <>
      {' '}
      <a href={url} target="_blank" rel="noreferrer noopener">
        {label}
      </a>
    </>
  );
}

/** A picture from an unknown host: a link, loaded only when the operator chooses to. */
function PreviewLink({ url, label }: { url: string; label: string }) {
  return (
    <a className="placeholder" href={url} target="_blank" rel="noreferrer noopener" data-testid="media-link">
      {label}
    </a>
  );
}

/**
 * One message drawn as a person expects it; every value goes in as text, never as HTML, and a
 * name or address the sender chose sits in a <bdi>: its direction marks (U+202E) turn only it,
 * not the size or words drawn after it.
 * Pictures load inline only from `media` origins (OP_ADMIN_MEDIA_HOSTS by default). With a
 * keyword, its matches in a text message are marked as the API matches them.
 */
export function MessageBody({
  message,
  keyword,
  media = mediaOrigins(process.env.OP_ADMIN_MEDIA_HOSTS),
}: {
  message: ChatMessage;
  keyword?: string;
  media?: readonly string[];
}) {
  const view = messageView(message, media);
  switch (view.kind) {
    case 'text':
      return (
        <div className="bubble" data-kind="text">
          {view.text.trim() === '' ? (
            // An empty or blank message was a bubble with nothing in it, taken for a drawing fault.
            <span className="blank-text">（空白消息）</span>
          ) : keyword ? (
            <Snippet snippet={view.text} offsets={findKeyword(view.text, keyword)} />
          ) : (
            view.text
          )}
        </div>
      );
    case 'image': {
      if (!view.thumbnail && view.preview) {
        return (
          <div className="bubble" data-kind="image">
            <PreviewLink url={view.preview} label="查看图片（外部地址，点击后加载）" />
          </div>
        );
      }
      const picture = view.thumbnail ? (
        <Thumb src={view.thumbnail} alt={view.name ?? '图片'} />
      ) : (
        <span className="placeholder" data-testid="image-placeholder">
          图片（无缩略图）
        </span>
      );
      return (
        <div className="bubble" data-kind="image">
          {view.full ? (
            <a href={view.full} target="_blank" rel="noreferrer noopener" title="查看原图">
              {picture}
            </a>
          ) : (
            picture
          )}
        </div>
      );
    }
    case 'voice':
      return (
        <div className="bubble" data-kind="voice">
          语音 {view.duration}
          <MediaLink url={view.url} label="播放" />
        </div>
      );
    case 'video':
      return (
        <div className="bubble" data-kind="video">
          {view.thumbnail ? (
            <Thumb src={view.thumbnail} alt="视频封面" />
          ) : view.preview ? (
            <PreviewLink url={view.preview} label="查看封面（外部地址，点击后加载）" />
          ) : (
            <span className="placeholder">视频</span>
          )}
          <div>
            视频 {view.duration}
            <MediaLink url={view.url} label="打开" />
          </div>
        </div>
      );
    case 'location':
      return (
        <div className="bubble" data-kind="location">
          位置：<bdi>{view.address}</bdi>
          {view.coordinates ? <div style={{ color: 'var(--muted)', fontSize: 12 }}>坐标 {view.coordinates}</div> : null}
        </div>
      );
    case 'file':
      return (
        <div className="bubble" data-kind="file">
          文件：
          {view.url ? (
            <a href={view.url} target="_blank" rel="noreferrer noopener">
              <bdi>{view.name}</bdi>
            </a>
          ) : (
            <bdi>{view.name}</bdi>
          )}{' '}
          <span style={{ color: 'var(--muted)' }}>（{view.size}）</span>
        </div>
      );
    case 'system':
      return (
        <div className="bubble" data-kind="system">
          {view.text}
        </div>
      );
  }
}
