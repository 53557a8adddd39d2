import { useDashboard } from '../state/context.tsx';
import { selectPathIds } from '../state/store.ts';
import { AggregateCard } from './aggregate-card.tsx';
import { BannerList } from './banner-list.tsx';
import { ConnectionCard } from './connection-card.tsx';
import { Header } from './header.tsx';
import { InterfacesCard } from './interfaces-card.tsx';
import { PathCard } from './path-card.tsx';
import { SettingsCard } from './settings-card.tsx';
import { Toast } from './toast.tsx';

function Paths() {
  const ids = useDashboard(selectPathIds);
  const state = useDashboard((s) => s.snapshot?.state);
  return (
    <section className="paths" aria-label="Paths">
      <h2 className="section-title">Paths</h2>
      {ids.length === 0 ? (
        <div className="card empty-paths muted">
          {state === 'connecting'
            ? 'Opening paths…'
            : state === 'helper-down'
              ? 'No data from the helper.'
              : 'Not connected: no paths open.'}
        </div>
      ) : (
        <div className="path-grid">
          {ids.map((id, i) => (
            <PathCard key={id} pathId={id} index={i} />
          ))}
        </div>
      )}
    </section>
  );
}

export function App() {
  const loaded = useDashboard((s) => s.snapshot !== null);
  return (
    <div className="app">
      <Header />
      <main className="content">
        <BannerList />
        {loaded ? (
          <>
            <div className="top-grid">
              <ConnectionCard />
              <AggregateCard />
            </div>
            <div className="mid-grid">
              <InterfacesCard />
              <SettingsCard />
            </div>
            <Paths />
          </>
        ) : (
          <div className="loading muted">Loading…</div>
        )}
      </main>
      <Toast />
    </div>
  );
}
