import { useEffect, useState } from 'preact/hooks';
import { ApiError, auth, sessionEndedEvent, setAntiforgeryToken, type Session } from './api';
import { useRoute } from './router';
import { LoginPage } from './pages/login';
import { EnvironmentsPage } from './pages/environments';
import { EnvironmentPage } from './pages/environment';

export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const route = useRoute();

  useEffect(() => {
    auth
      .me()
      .then(signedIn)
      .catch((e) => {
        if (!(e instanceof ApiError) || e.status !== 401) console.error(e);
        setSession(null);
      });
    const ended = () => {
      setAntiforgeryToken(null);
      setSession(null);
    };
    addEventListener(sessionEndedEvent, ended);
    return () => removeEventListener(sessionEndedEvent, ended);
  }, []);

  function signedIn(s: Session) {
    setAntiforgeryToken(s.antiforgery_token);
    setSession(s);
  }

  async function signOut() {
    await auth.logout().catch(() => undefined);
    setAntiforgeryToken(null);
    setSession(null);
    location.hash = '#/';
  }

  if (session === undefined) return <p class="loading">Loading…</p>;
  if (session === null) return <LoginPage onSignedIn={signedIn} />;

  return (
    <>
      <header class="topbar">
        <a class="brand" href="#/">
          Memic
        </a>
        <span class="who">
          {session.user.email} <span class="badge">{session.user.role}</span>
        </span>
        <button type="button" class="link" onClick={signOut} data-testid="logout">
          Sign out
        </button>
      </header>
      <main>
        {route.environmentId ? (
          <EnvironmentPage key={route.environmentId} environmentId={route.environmentId} tab={route.tab} user={session.user} />
        ) : (
          <EnvironmentsPage user={session.user} />
        )}
      </main>
    </>
  );
}
