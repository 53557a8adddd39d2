// Who may talk to main, and where our windows may go (SECURITY E2, STYLE rule 8). Pure: the edge
// (electron/main/index.ts) passes in what Electron tells it about the sender or the target URL.

/** Where the renderer is loaded from. Production: a file inside the app; development: a dev server origin. */
export type AppLocation =
  | { readonly kind: 'file'; readonly indexPath: string }
  | { readonly kind: 'origin'; readonly origin: string };

function parse(url: string | undefined | null): URL | null {
  if (typeof url !== 'string' || url === '') return null;
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** True when `url` is our renderer's document (any query or fragment). */
export function isOwnUrl(url: string | undefined | null, loc: AppLocation): boolean {
  const u = parse(url);
  if (!u) return false;
  if (loc.kind === 'file') {
    if (u.protocol !== 'file:' || u.host !== '') return false;
    let path: string;
    try {
      path = decodeURIComponent(u.pathname);
    } catch {
      return false;
    }
    return path === loc.indexPath;
  }
  return u.origin !== 'null' && u.origin === loc.origin;
}

export interface IpcSender {
  /** event.senderFrame?.url (undefined when the frame is gone). */
  readonly frameUrl: string | undefined;
  /** event.senderFrame?.parent === null: the top frame, not an iframe inside it. */
  readonly isMainFrame: boolean;
  /** event.sender.id */
  readonly webContentsId: number;
}

export type SenderVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * IPC is accepted only from the top frame of one of our own windows showing our own document.
 * Checking the window alone is not enough (it could have navigated), and checking the URL alone
 * is not enough (another webContents could load the same file).
 */
export function checkIpcSender(
  sender: IpcSender,
  loc: AppLocation,
  ownWebContents: ReadonlySet<number>,
): SenderVerdict {
  if (!ownWebContents.has(sender.webContentsId)) return { ok: false, reason: 'not one of our windows' };
  if (!sender.isMainFrame) return { ok: false, reason: 'not the top frame' };
  if (!isOwnUrl(sender.frameUrl, loc)) return { ok: false, reason: 'frame is not showing our document' };
  return { ok: true };
}

/** will-navigate / will-redirect: only in-document moves (same document, other fragment) pass. */
export function allowNavigation(targetUrl: string, loc: AppLocation): boolean {
  return isOwnUrl(targetUrl, loc);
}

/** setWindowOpenHandler: no popups, ever. Links to docs open in the system browser instead, if http(s). */
export function windowOpenDecision(url: string): { action: 'deny'; openExternally: boolean } {
  const u = parse(url);
  return { action: 'deny', openExternally: u !== null && u.protocol === 'https:' };
}
