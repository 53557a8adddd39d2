// Theme choice: follow the system (prefers-color-scheme, pure CSS) or force light/dark through
// a data attribute on <html>. The choice is remembered in localStorage when available.
export type ThemeChoice = 'system' | 'light' | 'dark';

const KEY = 'quicether.theme';

export function loadTheme(): ThemeChoice {
  try {
    const v = globalThis.localStorage?.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

export function applyTheme(t: ThemeChoice): void {
  const root = document.documentElement;
  if (t === 'system') root.removeAttribute('data-theme');
  else root.setAttribute('data-theme', t);
  try {
    globalThis.localStorage?.setItem(KEY, t);
  } catch {
    // storage refused (private mode): the choice lasts for this page only
  }
}

export const nextTheme = (t: ThemeChoice): ThemeChoice =>
  t === 'system' ? 'dark' : t === 'dark' ? 'light' : 'system';
