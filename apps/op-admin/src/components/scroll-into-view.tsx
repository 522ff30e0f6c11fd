'use client';
import { useEffect } from 'react';

/** Brings a message (opened from a search hit, or a find's current match) into view once the page shows. */
export function ScrollIntoView({ elementId }: { elementId: string }) {
  useEffect(() => {
    document.getElementById(elementId)?.scrollIntoView({ block: 'center' });
  }, [elementId]);
  return null;
}
