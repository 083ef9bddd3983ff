import { useEffect, useRef, useState } from 'preact/hooks';
import { createClient, describeError } from './api.js';
import { LiveIndicator } from './components.jsx';
import { useOverviewStream, useRequestsFeed } from './hooks.js';
import { forgetKey, clearResume, loadResume, recallKey, rememberKey } from './state/resume.js';
import { hasRole, pickView, viewFromHash, viewsFor } from './state/roles.js';
import { ChartsView, QueueView, WorkersView } from './views/Ops.jsx';
import { DeadLettersView } from './views/DeadLetters.jsx';
import { RequestsView } from './views/Requests.jsx';
import { AdmissionView, KeysView } from './views/Settings.jsx';
import { Playground } from './views/Playground.jsx';

function storage() {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

function SignIn({ onSignIn, error, busy }) {
  const [key, setKey] = useState('');
  const [pendingResume] = useState(() => !!loadResume(storage()));
  const [remember, setRemember] = useState(false);
  function submit(e) {
    e.preventDefault();
    onSignIn(key.trim(), remember);
  }
  return (
    <section aria-labelledby="sign-in-title" class="sign-in">
      <h2 id="sign-in-title">Sign in</h2>
      <form onSubmit={submit} data-testid="sign-in-form">
        <div class="field">
          <label for="api-key">API key</label>
          <input
            id="api-key"
            type="password"
            autoComplete="off"
            spellcheck={false}
            required
            value={key}
            onInput={(e) => setKey(e.currentTarget.value)}
            data-testid="api-key"
            aria-describedby="api-key-hint"
          />
          <span class="hint" id="api-key-hint">
            Kept in this page’s memory only, unless you tick the box below.
          </span>
        </div>
        <label class="check">
          <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.currentTarget.checked)} data-testid="remember" />{' '}
          Remember in this tab
        </label>
        <button type="submit" class="primary" disabled={busy || !key.trim()} data-testid="sign-in">
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      {pendingResume && (
        <p class="notice" data-testid="resume-pending">
          A query was streaming when this tab reloaded: sign in to resume it.
        </p>
      )}
      {error && (
        <p role="alert" class="error" data-testid="sign-in-error">
          {error}
        </p>
      )}
    </section>
  );
}

export function App() {
  const [session, setSession] = useState(null); // { client, me }
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [booting, setBooting] = useState(true);
  const [requested, setRequested] = useState(() => viewFromHash(window.location.hash));
  const heading = useRef(null);
  const navigated = useRef(false);

  function signOut(message = null) {
    forgetKey(storage());
    clearResume(storage());
    setSession(null);
    setError(message);
  }

  async function signIn(key, remember, { quiet = false } = {}) {
    if (!key) return;
    setBusy(true);
    setError(null);
    let live = false;
    const client = createClient(key, {
      onUnauthorized: () => {
        if (live) signOut('The server no longer accepts this API key. Sign in again.');
      },
    });
    try {
      const me = await client.get('/api/v1/me');
      if (remember) rememberKey(storage(), key);
      else forgetKey(storage());
      live = true;
      // A stream that was running before a reload continues in the Playground.
      if (loadResume(storage())) {
        window.history.replaceState(null, '', '#/playground');
        setRequested('playground');
      }
      setSession({ client, me: me || {} });
    } catch (err) {
      if (err.status === 401) forgetKey(storage()); // a network error keeps a remembered key
      if (err.status === 401) setError(quiet ? 'Your remembered API key is no longer valid. Sign in again.' : 'Invalid API key.');
      else setError(`Sign-in failed: ${describeError(err)}`);
    } finally {
      setBusy(false);
      setBooting(false);
    }
  }

  useEffect(() => {
    const key = recallKey(storage());
    if (key) signIn(key, true, { quiet: true });
    else setBooting(false);
    const onHash = () => {
      navigated.current = true;
      setRequested(viewFromHash(window.location.hash));
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const roles = session?.me?.roles || [];
  const operator = !!session && hasRole(roles, 'operator');
  const view = session ? pickView(roles, requested) : null;
  const { overview, connection, error: overviewError } = useOverviewStream(session?.client, operator);
  const feed = useRequestsFeed(session?.client, operator);

  useEffect(() => {
    if (view) document.title = `${viewsFor(roles).find((v) => v.id === view)?.label || 'Dashboard'} · Agentic Backend`;
    else document.title = 'Sign in · Agentic Backend';
    if (navigated.current && heading.current) heading.current.focus();
  }, [view, session]);

  const props = { client: session?.client, me: session?.me, headingRef: heading };

  return (
    <>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>
        Skip to content
      </a>
      <header class="topbar">
        <h1>Agentic Backend</h1>
        {session && (
          <div class="who">
            {operator && <LiveIndicator connection={connection} error={overviewError} />}
            <span data-testid="whoami">
              {session.me.tenant || '–'} · {roles.join(', ') || 'no role'}
            </span>
            <button type="button" onClick={() => signOut(null)} data-testid="sign-out">
              Sign out
            </button>
          </div>
        )}
      </header>
      {session && (
        <nav aria-label="Views" class="tabs">
          <ul>
            {viewsFor(roles).map((v) => (
              <li key={v.id}>
                <a href={`#/${v.id}`} aria-current={view === v.id ? 'page' : undefined} data-testid={`nav-${v.id}`}>
                  {v.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      )}
      <main id="main" tabIndex={-1}>
        {!session ? (
          booting ? (
            <p class="muted">Loading…</p>
          ) : (
            <SignIn onSignIn={(k, r) => signIn(k, r)} error={error} busy={busy} />
          )
        ) : (
          <>
            {view === 'queue' && <QueueView {...props} overview={overview} connection={connection} error={overviewError} />}
            {view === 'workers' && <WorkersView {...props} overview={overview} connection={connection} error={overviewError} />}
            {view === 'dead-letters' && <DeadLettersView {...props} />}
            {view === 'requests' && <RequestsView {...props} requests={feed.requests} error={feed.error} />}
            {view === 'charts' && <ChartsView {...props} overview={overview} requestsWindow={feed.window} />}
            {view === 'admission' && <AdmissionView {...props} />}
            {view === 'keys' && <KeysView {...props} />}
            <Playground {...props} hidden={view !== 'playground'} />
          </>
        )}
      </main>
    </>
  );
}
