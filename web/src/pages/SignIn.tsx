/**
 * Sign-in. In development the gateway offers demo users (a `<select>` and "Sign in", a fresh one-hour
 * token each time); a deployment configures its identity provider (WEB_SIGN_IN_URL), which the button
 * sends the person to and which returns them here with the token in the URL fragment.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router-dom';
import { demoUsers, signedIn, signInAsDemoUser, signInReturnUrl, takeTokenFromFragment, type AppConfig } from '../session';

export function SignInPage({ config }: { config: AppConfig }) {
  const navigate = useNavigate();
  const [users, setUsers] = useState<string[] | null>(null);
  const [user, setUser] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (takeTokenFromFragment() || signedIn()) {
      navigate('/spending', { replace: true });
      return;
    }
    if (!config.demoSignIn) return setUsers([]);
    demoUsers().then((list) => {
      setUsers(list);
      setUser(list[0] ?? '');
    });
  }, [config.demoSignIn, navigate]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signInAsDemoUser(user);
      navigate('/spending', { replace: true });
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="sign-in">
      <h1>Sign in</h1>
      <p>See what your car has cost you, line by line, and compare what another would cost.</p>
      {config.signInUrl && (
        <p>
          <a className="button" href={`${config.signInUrl}${config.signInUrl.includes('?') ? '&' : '?'}redirect_uri=${encodeURIComponent(signInReturnUrl())}`}>
            Sign in with your account
          </a>
        </p>
      )}
      {users === null && <p role="status">Loading the demo users…</p>}
      {users !== null && users.length > 0 && (
        <form onSubmit={submit}>
          <p>Development only: sign in as one of the seeded demo users.</p>
          <label htmlFor="demo-user">Demo user</label>
          <select id="demo-user" value={user} onChange={(e) => setUser(e.target.value)}>
            {users.map((u) => (
              <option key={u} value={u}>
                {u}
              </option>
            ))}
          </select>
          <button type="submit" disabled={busy || !user}>
            Sign in
          </button>
        </form>
      )}
      {users !== null && users.length === 0 && !config.signInUrl && (
        <p role="alert">This gateway offers no way to sign in: configure WEB_SIGN_IN_URL (your identity provider), or run it in development for the demo users.</p>
      )}
      {error && <p role="alert" className="error">{error}</p>}
    </main>
  );
}
