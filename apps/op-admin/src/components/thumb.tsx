'use client';
import { useEffect, useRef, useState } from 'react';

/**
 * A thumbnail that says so when it cannot be loaded (expired signature, file gone, host down),
 * rather than a broken-picture icon the size of its name.
 */
export function Thumb({ src, alt }: { src: string; alt: string }) {
  const [failed, setFailed] = useState(false);
  const img = useRef<HTMLImageElement>(null);
  useEffect(() => {
    // One that failed before the page was hydrated fired no handler: done, and without pixels.
    const shown = img.current;
    if (shown?.complete && shown.naturalWidth === 0) setFailed(true);
  }, []);
  if (failed) {
    return (
      <span className="placeholder" data-testid="thumb-failed">
        {alt}（缩略图无法加载）
      </span>
    );
  }
  return <img ref={img} className="thumb" src={src} alt={alt} onError={() => setFailed(true)} />;
}
