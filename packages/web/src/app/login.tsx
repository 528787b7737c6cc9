import { useState, type FormEvent } from 'react';
import { rootClient } from '../api/client.js';
import { isCCError } from '@commandcenter/protocol/client';

/**
 * Sign in with an API token (or follow the one-time link `commandcenter up` prints, which sets
 * the session cookie and lands here already signed in).
 */
export function LoginPage({ onSignedIn }: { onSignedIn: () => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await rootClient.createSession(token.trim());
      onSignedIn();
    } catch (err) {
      setError(isCCError(err) ? err.detail : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="login">
      <form className="card login-card" onSubmit={submit} aria-labelledby="login-title">
        <div className="brand brand-large">
          <img src="/favicon.svg" alt="" width={36} height={36} />
          <span>CommandCenter</span>
        </div>
        <h1 id="login-title">Sign in</h1>
        <p className="muted">
          Open the one-time link that <code>commandcenter up</code> printed, or paste an API token
          (create one with <code>commandcenter tokens create</code>).
        </p>
        <label className="field">
          <span>API token</span>
          <input
            type="password"
            autoComplete="current-password"
            placeholder="cc_…"
            value={token}
            onChange={(e) => setToken(e.target.value)}
            required
            autoFocus
          />
        </label>
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
        <button className="btn btn-primary" type="submit" disabled={busy || token.trim() === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
