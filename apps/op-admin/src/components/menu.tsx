'use client';
// A drop-down menu on a <details>: Escape, pressed inside it, closes it and puts focus back on
// its button, as a menu does (no browser closes a <details> so). Without script it still opens
// and closes by its button.
import { useRef, type ReactNode } from 'react';

export function Menu({ label, children }: { label: string; children: ReactNode }) {
  const menu = useRef<HTMLDetailsElement>(null);
  return (
    <details
      className="menu"
      ref={menu}
      onKeyDown={(event) => {
        if (event.key !== 'Escape' || !menu.current?.open) return;
        event.preventDefault();
        menu.current.open = false;
        menu.current.querySelector('summary')?.focus();
      }}
    >
      <summary>{label}</summary>
      {children}
    </details>
  );
}
