// Defence in depth for the renderer (SECURITY E2). In Electron, main's will-navigate and
// setWindowOpenHandler are the real wall; in the web dashboard the CSP header (sandbox without
// allow-popups, form-action 'none') is. This guard adds: no popups from script, no navigation
// by link click, form submit or drag-and-drop to anywhere but our own document.

export function isSameDocumentTarget(href: string, here: { origin: string; pathname: string }): boolean {
  try {
    const u = new URL(href, `${here.origin}${here.pathname}`);
    return u.origin === here.origin && u.pathname === here.pathname;
  } catch {
    return false;
  }
}

export function installNavigationGuard(win: Window): void {
  const refused = (what: string) => console.warn(`[quicether] ${what} refused`);
  try {
    Object.defineProperty(win, 'open', {
      value: (url?: string | URL) => {
        refused(`window.open(${String(url ?? '')})`);
        return null;
      },
      writable: false,
      configurable: false,
    });
  } catch {
    // already locked down
  }
  const onClick = (e: MouseEvent) => {
    const a = (e.target as Element | null)?.closest?.('a[href]');
    if (!a) return;
    const href = a.getAttribute('href') ?? '';
    if (a.getAttribute('target') || !isSameDocumentTarget(href, win.location)) {
      e.preventDefault();
      refused(`navigation to ${href}`);
    }
  };
  win.document.addEventListener('click', onClick, true);
  win.document.addEventListener('auxclick', onClick, true);
  win.document.addEventListener(
    'submit',
    (e) => {
      e.preventDefault();
      refused('form submit');
    },
    true,
  );
  win.addEventListener('dragover', (e) => e.preventDefault());
  win.addEventListener('drop', (e) => e.preventDefault());
}
