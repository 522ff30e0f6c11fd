'use client';
import { useEffect } from 'react';

/**
 * Brings a message (opened from a search hit, or a find's current match) into view once the page
 * shows; in a long text, which scrolls in its own bubble, its first marked match too.
 */
export function ScrollIntoView({ elementId }: { elementId: string }) {
  useEffect(() => {
    const message = document.getElementById(elementId);
    message?.scrollIntoView({ block: 'center' });
    message?.querySelector('.bubble mark')?.scrollIntoView({ block: 'nearest' });
  }, [elementId]);
  return null;
}
