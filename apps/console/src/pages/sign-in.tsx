import { FormEvent, useState } from 'react';
import { useI18n } from '../i18n';
import { beginSignIn, ConsoleSettings } from '../oidc';
import { Session, sessionOf, TokenError } from '../session';

/**
 * Sign-in: through the deployment's OpenID Provider when it has one; an access token pasted in (development, and
 * whoever holds a token) always. The token is checked by the API before the console opens.
 */
export function SignInPage({
  settings,
  onSignedIn,
}: {
  settings: ConsoleSettings;
  onSignedIn: (session: Session) => void;
}) {
  const { t } = useI18n();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    let session: Session;
    try {
      session = sessionOf(token);
    } catch (failure) {
      setError(t(`signIn.error.${failure instanceof TokenError ? failure.message : 'not-a-jwt'}`));
      return;
    }
    setBusy(true);
    const answer = await fetch('/v1/parties', {
      headers: { authorization: `Bearer ${session.token}` },
    }).catch(() => null);
    setBusy(false);
    if (answer?.ok) onSignedIn(session);
    else setError(t(answer ? 'signIn.error.refused' : 'common.offline'));
  };

  const oidc = settings.oidc;
  return (
    <>
      {oidc && (
        <section aria-labelledby="oidc-heading" className="panel">
          <h2 id="oidc-heading">{t('signIn.oidcHeading')}</h2>
          <p>{t('signIn.oidcHint', { issuer: new URL(oidc.issuer).host })}</p>
          <button
            type="button"
            className="primary"
            onClick={() =>
              beginSignIn(oidc).catch((failure: Error) =>
                setError(t('signIn.failed', { reason: failure.message })),
              )
            }
          >
            {t('signIn.oidc')}
          </button>
        </section>
      )}
      <section aria-labelledby="token-heading" className="panel">
        <h2 id="token-heading">{t('signIn.tokenHeading')}</h2>
        <form onSubmit={submit} noValidate>
          <div className="field">
            <label htmlFor="access-token">{t('signIn.token')}</label>
            <input
              id="access-token"
              type="password"
              autoComplete="off"
              spellCheck={false}
              value={token}
              aria-describedby="access-token-hint"
              aria-invalid={error ? true : undefined}
              onChange={(event) => setToken(event.target.value)}
            />
            <p id="access-token-hint" className="hint">
              {t('signIn.tokenHint')}
            </p>
          </div>
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" className="primary" disabled={busy}>
            {t('signIn.submit')}
          </button>
        </form>
      </section>
    </>
  );
}
