import { useState } from 'preact/hooks';
import { Api, ApiError, sessionOf, type Session } from '../api';
import { Field, ProblemNote } from '../components';

/** Paste a bearer token; it is checked against the API before the page accepts it. */
export function SignIn(props: { notice?: string; onSignIn: (session: Session) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    const session = sessionOf(token);
    if (!session) {
      setError(new Error('That is not a bearer token (a JWT: three parts separated by dots).'));
      return;
    }
    setBusy(true);
    try {
      await new Api(session.token).get('/v1/orders?limit=1');
      props.onSignIn(session);
    } catch (e) {
      setError(
        e instanceof ApiError && e.status === 401
          ? new Error(
              "The API refused this token (401): is it signed with this server's secret, and not expired?",
            )
          : e,
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="sign-in" id="main">
      <h1>Back office</h1>
      <form onSubmit={(e) => void submit(e)} aria-describedby="dev-hint">
        {props.notice ? <p role="status">{props.notice}</p> : null}
        <Field label="Bearer token">
          <textarea
            name="token"
            rows={4}
            required
            autoComplete="off"
            spellcheck={false}
            value={token}
            onInput={(e) => setToken(e.currentTarget.value)}
          />
        </Field>
        <button type="submit" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
        {error ? <ProblemNote error={error} /> : null}
        <p id="dev-hint" class="hint">
          Development: make a merchant token with <code>npm run token -- merchant &lt;id&gt;</code>.
          It is kept for this tab only.
        </p>
      </form>
    </main>
  );
}
