import { useDashboard } from '../state/context.tsx';

const capitalize = (s: string) => (s ? s[0]?.toUpperCase() + s.slice(1) : s);

export function BannerList() {
  const banners = useDashboard((s) => s.snapshot?.banners);
  const retryInMs = useDashboard((s) => s.snapshot?.helper.retryInMs);
  if (!banners || banners.length === 0) return null;
  return (
    <div className="banners">
      {banners.map((b) => (
        <div
          key={b.id}
          className={`banner banner-${b.level}`}
          role={b.level === 'error' ? 'alert' : 'status'}
          data-testid={`banner-${b.id}`}
        >
          <div className="banner-title">{b.title}</div>
          <div className="banner-detail">{capitalize(b.detail)}</div>
          {b.remedy ? <div className="banner-remedy">{b.remedy}</div> : null}
          {b.id === 'helper-down' && retryInMs !== undefined ? (
            <div className="banner-retry muted small">
              Retrying automatically{retryInMs > 1500 ? ` in ${Math.round(retryInMs / 1000)} s` : ''}.
            </div>
          ) : null}
        </div>
      ))}
    </div>
  );
}
