/** The frame of every page but sign-in: the skip link, the header with navigation and "Sign out" (or "Sign in"), the page. */
import { Link, NavLink, Outlet, useNavigate } from 'react-router-dom';
import { useApolloClient } from '@apollo/client';
import { signedIn, signOut } from './session';

export function Layout() {
  const navigate = useNavigate();
  const client = useApolloClient();
  return (
    <>
      <a className="skip" href="#main">Skip to content</a>
      <header>
        <span className="brand">Autograph</span>
        <nav aria-label="Main">
          <NavLink to="/spending">Spending</NavLink>
          <NavLink to="/quote">Quote</NavLink>
        </nav>
        {signedIn() ? (
          <button
            type="button"
            onClick={async () => {
              signOut();
              await client.clearStore();
              navigate('/sign-in');
            }}
          >
            Sign out
          </button>
        ) : (
          <Link to="/sign-in">Sign in</Link>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
