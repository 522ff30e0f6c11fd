// This browser tab's own memory (sessionStorage), for what the panel keeps between its pages.
// Storage may be refused (private mode, quota): reads then give null, writes do nothing.

export function readTab(key: string): string | null {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

export function writeTab(key: string, value: string): void {
  try {
    sessionStorage.setItem(key, value);
  } catch {
    // refused: the page works without it
  }
}
