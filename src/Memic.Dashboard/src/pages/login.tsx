import { useState } from 'preact/hooks';
import { ApiError, auth, type Session } from '../api';
import { ErrorText, messageOf } from '../ui';

export function LoginPage({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await auth.login(email, password));
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 401
          ? 'Wrong email or password.'
          : err instanceof ApiError && err.status === 429
            ? 'Too many failed sign-ins for this email. Try again later.'
            : messageOf(err),
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="login">
      <form onSubmit={submit} class="card" aria-labelledby="login-title">
        <h1 id="login-title">Sign in to Memic</h1>
        <label>
          Email
          <input
            type="email"
            autocomplete="username"
            required
            autofocus
            value={email}
            onInput={(e) => setEmail(e.currentTarget.value)}
            data-testid="login-email"
          />
        </label>
        <label>
          Password
          <input
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
            data-testid="login-password"
          />
        </label>
        <ErrorText error={error} />
        <button type="submit" class="primary" disabled={busy} data-testid="login-submit">
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p class="hint">The local server prints the first owner's password when it starts.</p>
      </form>
    </main>
  );
}
