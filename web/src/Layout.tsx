/** The frame of every signed-in page: the skip link, the header with navigation and "Sign out", the page. */
import { NavLink, Outlet, useNavigate } from 'react-router-dom';
import { useApolloClient } from '@apollo/client';
import { signOut } from './session';

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
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
