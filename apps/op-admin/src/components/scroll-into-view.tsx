'use client';
import { useEffect } from 'react';

/** Brings the highlighted message (opened from a search hit) into view once the page shows. */
export function ScrollIntoView({ elementId }: { elementId: string }) {
  useEffect(() => {
    document.getElementById(elementId)?.scrollIntoView({ block: 'center' });
  }, [elementId]);
  return null;
}
