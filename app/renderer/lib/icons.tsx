// Small inline SVG icons (no icon font: the CSP allows no remote fonts and we want crisp lines).
import type { InterfaceKind } from '../model.ts';

const common = {
  width: 20,
  height: 20,
  viewBox: '0 0 24 24',
  fill: 'none',
  stroke: 'currentColor',
  strokeWidth: 2,
  strokeLinecap: 'round' as const,
  strokeLinejoin: 'round' as const,
};

export function KindIcon({ kind }: { kind: InterfaceKind }) {
  switch (kind) {
    case 'wifi':
      return (
        <svg aria-hidden="true" {...common}>
          <path d="M2 8.8a15 15 0 0 1 20 0" />
          <path d="M5 12.5a10 10 0 0 1 14 0" />
          <path d="M8.5 16a5 5 0 0 1 7 0" />
          <circle cx="12" cy="19.5" r="1" fill="currentColor" />
        </svg>
      );
    case 'cellular':
      return (
        <svg aria-hidden="true" {...common}>
          <path d="M4 20v-3" />
          <path d="M9 20v-6" />
          <path d="M14 20v-10" />
          <path d="M19 20V5" />
        </svg>
      );
    case 'ethernet':
      return (
        <svg aria-hidden="true" {...common}>
          <rect x="4" y="6" width="16" height="12" rx="2" />
          <path d="M8 18v-3M11 18v-3M14 18v-3M17 18v-3" />
          <path d="M9 6V4h6v2" />
        </svg>
      );
    default:
      return (
        <svg aria-hidden="true" {...common}>
          <circle cx="12" cy="12" r="9" />
          <path d="M3 12h18M12 3a14 14 0 0 1 0 18M12 3a14 14 0 0 0 0 18" />
        </svg>
      );
  }
}

export function ShieldIcon({ size = 22 }: { size?: number }) {
  return (
    <svg aria-hidden="true" {...common} width={size} height={size}>
      <path d="M12 3l8 3v6c0 4.5-3.4 8.3-8 9-4.6-.7-8-4.5-8-9V6l8-3z" />
      <path d="M8.5 12.5l2.3 2.3 4.7-5" />
    </svg>
  );
}

export function ThemeIcon({ theme }: { theme: 'system' | 'light' | 'dark' }) {
  if (theme === 'light')
    return (
      <svg aria-hidden="true" {...common} width={18} height={18}>
        <circle cx="12" cy="12" r="4" />
        <path d="M12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4" />
      </svg>
    );
  if (theme === 'dark')
    return (
      <svg aria-hidden="true" {...common} width={18} height={18}>
        <path d="M20 14.5A8 8 0 0 1 9.5 4a8 8 0 1 0 10.5 10.5z" />
      </svg>
    );
  return (
    <svg aria-hidden="true" {...common} width={18} height={18}>
      <rect x="3" y="4" width="18" height="12" rx="2" />
      <path d="M8 20h8M12 16v4" />
    </svg>
  );
}
