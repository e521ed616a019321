/**
 * The owner's web app: sign in, the spending dashboard, what each line paid for, and the ownership quote.
 * Routes live under /app (the gateway serves index.html for every one of them).
 */
import { StrictMode, useMemo, useState, useEffect } from 'react';
import { createRoot } from 'react-dom/client';
import { ApolloProvider } from '@apollo/client';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { createClient } from './apollo';
import { Layout } from './Layout';
import { appConfig, signedIn, type AppConfig } from './session';
import { SignInPage } from './pages/SignIn';
import { SpendingPage } from './pages/Spending';
import { PaidForPage } from './pages/PaidFor';
import { QuotePage } from './pages/Quote';
import './styles.css';

function RequireSignIn({ children }: { children: JSX.Element }) {
  const location = useLocation();
  return signedIn() ? children : <Navigate to="/sign-in" replace state={{ from: location.pathname }} />;
}

function App({ config }: { config: AppConfig }) {
  const [, setSignedOutAt] = useState(0);
  // A token the graph no longer accepts signs the person out; the re-render sends them to sign in.
  const client = useMemo(() => createClient(config.graphqlPath, () => setSignedOutAt(Date.now())), [config.graphqlPath]);
  return (
    <ApolloProvider client={client}>
      <BrowserRouter basename="/app">
        <Routes>
          <Route path="/sign-in" element={<SignInPage config={config} />} />
          <Route element={<Layout />}>
            <Route path="/spending" element={<RequireSignIn><SpendingPage /></RequireSignIn>} />
            <Route path="/paid/:type/:id" element={<RequireSignIn><PaidForPage /></RequireSignIn>} />
            {/* Public, like the quote in the graph: someone choosing a car has no account yet. */}
            <Route path="/quote" element={<QuotePage />} />
          </Route>
          <Route path="*" element={<Navigate to={signedIn() ? '/spending' : '/sign-in'} replace />} />
        </Routes>
      </BrowserRouter>
    </ApolloProvider>
  );
}

function Boot() {
  const [config, setConfig] = useState<AppConfig | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  useEffect(() => {
    appConfig().then(setConfig, (err: Error) => setFailed(err.message));
  }, []);
  if (failed) return <p role="alert">The app cannot reach the gateway that serves it: {failed}</p>;
  if (!config) return <p role="status">Loading…</p>;
  return <App config={config} />;
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Boot />
  </StrictMode>,
);
