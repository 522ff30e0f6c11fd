'use client';
import { useEffect } from 'react';

/** Marks the page as interactive (`<html data-hydrated>`): its buttons now act. Tests wait for it. */
export function Hydrated() {
  useEffect(() => {
    document.documentElement.dataset.hydrated = 'true';
  }, []);
  return null;
}
