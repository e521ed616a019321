/**
 * Who is signed in: the bearer token, kept in this tab's sessionStorage only (closing the tab signs out;
 * no other tab or site can read it). Two ways in: a development demo token from the gateway
 * (`GET /explorer/demo-token?sub=…`, only with the built-in development secret), or a deployment's
 * identity provider (WEB_SIGN_IN_URL), which sends the person back to /app/sign-in with
 * `#access_token=…` in the URL fragment (never sent to any server, so it is in no log).
 */
const KEY = 'autograph.token';

export interface AppConfig {
  graphqlPath: string;
  clientName: string;
  /** The gateway offers development demo tokens. */
  demoSignIn: boolean;
  /** The identity provider's sign-in page; null: none configured. */
  signInUrl: string | null;
}

let config: Promise<AppConfig> | undefined;
/** What the gateway serving the app says about itself (`/app/config.json`), asked once. */
export function appConfig(): Promise<AppConfig> {
  config ??= fetch('/app/config.json').then((r) => {
    if (!r.ok) throw new Error(`the gateway answered ${r.status} for /app/config.json`);
    return r.json() as Promise<AppConfig>;
  });
  return config;
}

export const currentToken = (): string | null => sessionStorage.getItem(KEY);
export const signedIn = () => currentToken() !== null;
export const signOut = () => sessionStorage.removeItem(KEY);
export const keepToken = (token: string) => sessionStorage.setItem(KEY, token);

/** The demo users the gateway offers (demo-driver first), or [] when it offers none. */
export async function demoUsers(): Promise<string[]> {
  const r = await fetch('/explorer/demo-token');
  if (!r.ok) return [];
  const body = (await r.json()) as { demoUsers?: string[] };
  return body.demoUsers ?? [];
}

/** Signs in as a demo user with a fresh development token; throws with the gateway's reason. */
export async function signInAsDemoUser(user: string): Promise<void> {
  const r = await fetch(`/explorer/demo-token?sub=${encodeURIComponent(user)}`);
  const body = (await r.json().catch(() => ({}))) as { token?: string; error?: string };
  if (!r.ok || !body.token) throw new Error(body.error ?? `the gateway refused a demo token (${r.status})`);
  keepToken(body.token);
}

/** Takes a token the identity provider put in the URL fragment, and removes it from the address bar. */
export function takeTokenFromFragment(): boolean {
  const params = new URLSearchParams(window.location.hash.slice(1));
  const token = params.get('access_token');
  if (!token) return false;
  keepToken(token);
  history.replaceState(null, '', window.location.pathname);
  return true;
}

/** Where the identity provider is asked to send the person back to. */
export const signInReturnUrl = () => `${window.location.origin}/app/sign-in`;
