'use client';
import { useEffect, useRef, useState } from 'react';

/**
 * A thumbnail that says so when it cannot be loaded (expired signature, file gone, host down),
 * rather than a broken-picture icon the size of its name.
 */
export function Thumb({ src, alt }: { src: string; alt: string }) {
  // The address that failed: a refresh that signs the picture anew tries again.
  const [failedSrc, setFailedSrc] = useState<string | null>(null);
  const img = useRef<HTMLImageElement>(null);
  useEffect(() => {
    // One that failed before the page was hydrated fired no handler: done, and without pixels.
    const shown = img.current;
    if (shown?.complete && shown.naturalWidth === 0) setFailedSrc(src);
  }, [src]);
  if (failedSrc === src) {
    return (
      <span className="placeholder" data-testid="thumb-failed">
        {alt}（缩略图无法加载）
      </span>
    );
  }
  return <img ref={img} className="thumb" src={src} alt={alt} onError={() => setFailedSrc(src)} />;
}
