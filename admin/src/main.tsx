import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { Api, sessionOf, type Session } from './api';
import { ShellContext } from './components';
import { eventStreamFeed, pollingFeed } from './live';
import { OrderPage } from './pages/order';
import { OrdersPage } from './pages/orders';
import { ProductsPage } from './pages/products';
import { SignIn } from './pages/sign-in';

/** The token lives in sessionStorage: remembered for this tab, gone when it closes. */
const TOKEN_KEY = 'backoffice.token';

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const update = () => setHash(location.hash);
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return hash;
}

function Screen({ hash }: { hash: string }) {
  const order = /^#\/orders\/([0-9a-fA-F-]{36})$/.exec(hash);
  if (order?.[1]) return <OrderPage id={order[1].toLowerCase()} key={order[1]} />;
  if (hash === '#/products') return <ProductsPage />;
  return <OrdersPage />;
}

function App() {
  const [session, setSession] = useState<Session | undefined>(() =>
    sessionOf(sessionStorage.getItem(TOKEN_KEY) ?? ''),
  );
  const [notice, setNotice] = useState<string>();
  const hash = useHash();
  const signOut = (message?: string) => {
    sessionStorage.removeItem(TOKEN_KEY);
    setSession(undefined);
    setNotice(message);
  };
  const shell = useMemo(
    () =>
      session && {
        session,
        api: new Api(session.token, () =>
          signOut('The API refused the token (401): sign in again.'),
        ),
        feed: eventStreamFeed(session.token, pollingFeed(1000)),
      },
    [session],
  );
  if (!shell) {
    return (
      <SignIn
        notice={notice}
        onSignIn={(s) => {
          sessionStorage.setItem(TOKEN_KEY, s.token);
          setNotice(undefined);
          setSession(s);
        }}
      />
    );
  }
  const current = hash.startsWith('#/products') ? 'products' : 'orders';
  return (
    <ShellContext.Provider value={shell}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Back office</span>
        <nav aria-label="Sections">
          <a href="#/orders" aria-current={current === 'orders' ? 'page' : undefined}>
            Orders
          </a>
          <a href="#/products" aria-current={current === 'products' ? 'page' : undefined}>
            Products
          </a>
        </nav>
        <span class="who">
          {shell.session.role} <code>{shell.session.id}</code>
        </span>
        <button type="button" class="secondary" onClick={() => signOut()}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Screen hash={hash} />
      </main>
    </ShellContext.Provider>
  );
}

const root = document.getElementById('app');
if (root) render(<App />, root);
