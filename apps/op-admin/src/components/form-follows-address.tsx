'use client';
import { useEffect, useRef } from 'react';

/**
 * Put inside a GET form whose fields start from the address (defaultValue, defaultChecked).
 * On Back or Forward the browser puts back what was typed into the page before it was left
 * (the keyword of the next search), which the address no longer says: on such a page the form
 * is reset to its defaults once it shows, and again when it comes back from the back-forward cache.
 * A page still loading when its script runs (its results stream in) is reset again once loaded:
 * the browser may put the typed values back as parsing ends, after the first reset (a CI run
 * saw the box keep them), unless the person is already typing in the form.
 */
export function FormFollowsAddress() {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const reset = () => ref.current?.form?.reset();
    // Only a page reached by Back or Forward: on any other, what is in the box was typed now.
    const [navigation] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
    const backForward = navigation?.type === 'back_forward';
    if (backForward) reset();
    const onLoad = () => {
      const form = ref.current?.form;
      if (form && !form.contains(document.activeElement)) form.reset();
    };
    if (backForward && document.readyState !== 'complete') window.addEventListener('load', onLoad, { once: true });
    const onShow = (event: PageTransitionEvent) => {
      if (event.persisted) reset();
    };
    window.addEventListener('pageshow', onShow);
    return () => {
      window.removeEventListener('pageshow', onShow);
      window.removeEventListener('load', onLoad);
    };
  }, []);
  return <input ref={ref} type="hidden" disabled />;
}
