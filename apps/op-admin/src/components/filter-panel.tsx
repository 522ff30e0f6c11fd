'use client';
// The less used filters of a form, under "筛选": open on a wide screen, folded on a phone
// (unless some are set) so the results are on the first screen.
import { useEffect, useRef, type ReactNode } from 'react';

export const NARROW_SCREEN = '(max-width: 640px)';

export function FilterPanel({ active, children }: { active: number; children: ReactNode }) {
  const ref = useRef<HTMLDetailsElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    if (active === 0 && window.matchMedia(NARROW_SCREEN).matches) ref.current.open = false;
    // Says the fold has been decided (tests wait for it before reading it).
    ref.current.dataset.ready = 'true';
  }, [active]);
  return (
    <details className="filter-panel" open ref={ref} data-testid="filter-panel">
      <summary>{active > 0 ? `筛选（已设 ${active} 项）` : '筛选'}</summary>
      {children}
    </details>
  );
}
