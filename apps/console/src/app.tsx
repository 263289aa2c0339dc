import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, apiWith } from './api';
import { useWorkspace, Workspace, WorkspaceContext } from './context';
import { LANGUAGES, useI18n } from './i18n';
import { completeSignIn, ConsoleSettings } from './oidc';
import { Main } from './components/main';
import { ActionPlanPage } from './pages/action-plan';
import { AuditTrailPage } from './pages/audit-trail';
import { InboxPage } from './pages/inbox';
import { InitiativePage } from './pages/initiative';
import { SignInPage } from './pages/sign-in';
import { href, Route, useRoute } from './router';
import { savedSession, saveSession, Session, sessionOf } from './session';
import type { Party } from './types';

export function App() {
  const { t } = useI18n();
  const [settings, setSettings] = useState<ConsoleSettings | null>(null);
  const [session, setSession] = useState<Session | null>(savedSession);
  const [parties, setParties] = useState<Party[] | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const signIn = useCallback((next: Session | null) => {
    saveSession(next);
    setSession(next);
    setParties(null);
  }, []);
  const signOut = useCallback(
    (why?: string) => {
      signIn(null);
      setNotice(why ?? null);
    },
    [signIn],
  );

  useEffect(() => {
    fetch('/console/config.json')
      .then((response) => response.json() as Promise<ConsoleSettings>)
      .catch(() => ({ oidc: null }))
      .then(async (loaded) => {
        setSettings(loaded);
        try {
          const token = await completeSignIn(loaded.oidc);
          if (token) signIn(sessionOf(token));
        } catch (error) {
          setNotice(t('signIn.failed', { reason: (error as Error).message }));
        }
      });
    // Once, on load: a return from the provider carries its code in this page load's address only.
  }, []);

  // The words of the moment the session ends, without making a new API client whenever the language changes.
  const translate = useRef(t);
  translate.current = t;
  const api = useMemo(
    () => session && apiWith(session.token, () => signOut(translate.current('signIn.ended'))),
    [session, signOut],
  );

  useEffect(() => {
    if (!api) return;
    api.get<{ parties: Party[] }>('/v1/parties').then(
      ({ parties: loaded }) => setParties(loaded),
      (error: ApiError) => error.problem.status !== 401 && setParties([]),
    );
  }, [api]);

  const workspace: Workspace | null = session && api && parties ? { session, api, parties } : null;

  return (
    <>
      <a className="skip-link" href="#main" onClick={skipToContent}>
        {t('nav.skip')}
      </a>
      <header className="top">
        <p className="brand">Accord</p>
        {workspace && <Navigation />}
        <LanguageSwitch />
        {session && (
          <div className="who">
            <span>{t('nav.signedInAs', { sub: session.sub, role: t(`role.${session.role}`) })}</span>
            {session.country && <span> · {session.country}</span>}
            <button type="button" className="link-button" onClick={() => signOut()}>
              {t('nav.signOut')}
            </button>
          </div>
        )}
      </header>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {!session ? (
        <Main title={t('signIn.heading')}>
          {settings && <SignInPage settings={settings} onSignedIn={signIn} />}
        </Main>
      ) : workspace ? (
        <WorkspaceContext.Provider value={workspace}>
          <Page />
        </WorkspaceContext.Provider>
      ) : (
        // Not a page yet (no heading to move the focus to): the page the document opens on is the one that follows.
        <main id="main" tabIndex={-1}>
          <p role="status">{t('common.loading')}</p>
        </main>
      )}
    </>
  );
}

function Navigation() {
  const { t } = useI18n();
  const route = useRoute();
  const current = (page: Route['page']) => (route.page === page ? 'page' : undefined);
  return (
    <nav aria-label={t('nav.label')}>
      <ul>
        <li>
          <a href={href.inbox} aria-current={current('inbox')}>
            {t('inbox.heading')}
          </a>
        </li>
        <li>
          <a href={href.actionPlan} aria-current={current('action-plan')}>
            {t('plan.heading')}
          </a>
        </li>
      </ul>
    </nav>
  );
}

function LanguageSwitch() {
  const { t, locale, setLocale } = useI18n();
  return (
    <div className="language">
      <label htmlFor="language">{t('nav.language')}</label>
      <select id="language" value={locale} onChange={(event) => setLocale(event.target.value)}>
        {LANGUAGES.map((language) => (
          <option key={language.code} value={language.code} lang={language.code}>
            {language.name}
          </option>
        ))}
      </select>
    </div>
  );
}

function Page() {
  const route = useRoute();
  const { session } = useWorkspace();
  const { t } = useI18n();
  if (session.role === 'witness')
    return (
      <Main title={t('signIn.heading')}>
        <p>{t('signIn.witness')}</p>
      </Main>
    );
  switch (route.page) {
    case 'inbox':
      return <InboxPage />;
    case 'action-plan':
      return <ActionPlanPage />;
    case 'initiative':
      return <InitiativePage key={route.id} id={route.id} />;
    case 'audit':
      return <AuditTrailPage key={route.id} id={route.id} />;
    default:
      return (
        <Main title={t('common.notFound')}>
          <p>
            <a href={href.inbox}>{t('inbox.heading')}</a>
          </p>
        </Main>
      );
  }
}

/** The hash names the page: the skip link moves the focus instead of following its #main. */
function skipToContent(event: React.MouseEvent) {
  event.preventDefault();
  document.getElementById('main')?.focus();
}
