import { useState } from 'react';
import { ShieldIcon, ThemeIcon } from '../lib/icons.tsx';
import { applyTheme, loadTheme, nextTheme, type ThemeChoice } from '../lib/theme.ts';
import { useDashboard } from '../state/context.tsx';

const THEME_LABEL: Record<ThemeChoice, string> = {
  system: 'System theme',
  dark: 'Dark theme',
  light: 'Light theme',
};

export function Header() {
  const [theme, setTheme] = useState<ThemeChoice>(() => loadTheme());
  const version = useDashboard((s) => s.snapshot?.helper.version);
  const cycle = () => {
    const t = nextTheme(theme);
    applyTheme(t);
    setTheme(t);
  };
  return (
    <header className="app-header">
      <div className="brand">
        <span className="brand-mark">
          <ShieldIcon />
        </span>
        <span className="brand-name">QuicEther</span>
        <span className="brand-sub">multipath tunnel</span>
      </div>
      <div className="header-actions">
        {version ? <span className="muted small">helper {version}</span> : null}
        <button
          type="button"
          className="icon-button"
          onClick={cycle}
          title={THEME_LABEL[theme]}
          aria-label={THEME_LABEL[theme]}
          data-testid="theme-toggle"
        >
          <ThemeIcon theme={theme} />
        </button>
      </div>
    </header>
  );
}
