'use client';
// Anything unexpected while rendering: a plain sentence, never the error's stack.
export default function PanelError({ reset }: { error: Error; reset: () => void }) {
  return (
    <div className="error" role="alert">
      页面加载失败，请稍后重试。
      <button type="button" onClick={reset} style={{ marginLeft: 12 }}>
        重试
      </button>
    </div>
  );
}
