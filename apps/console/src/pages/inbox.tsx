import { Main } from '../components/main';
import { allPages } from '../api';
import { Deadline, Loading, ProblemMessage, States } from '../components/common';
import { partyName, useWorkspace } from '../context';
import { useI18n } from '../i18n';
import { href } from '../router';
import type { InitiativeSummary } from '../types';
import { useLoad } from '../use-load';

/** New items must show within 5 s of their proposal: the inbox asks again every 2.5 s. */
const POLL_MS = 2500;

/**
 * What awaits a sign-off, nearest deadline first: a focal point's own state's (the API's inbox), or — for the
 * secretariat and everyone else who sees every initiative — anyone's.
 */
export function InboxPage() {
  const { api, session, parties } = useWorkspace();
  const { t } = useI18n();
  const country = session.role === 'focal-point' ? session.country : null;
  const { data, error } = useLoad(
    async () => {
      const items = await allPages<InitiativeSummary>(
        api,
        '/v1/initiatives',
        country ? { pendingFor: country } : { status: 'awaiting-sign-offs' },
      );
      const now = Date.now();
      return items
        .filter((item) => item.pendingStates.length > 0 && Date.parse(item.signOffDeadline) > now)
        .sort((a, b) => Date.parse(a.signOffDeadline) - Date.parse(b.signOffDeadline));
    },
    `inbox/${country}`,
    POLL_MS,
  );

  return (
    <Main title={t('inbox.heading')}>
      <p>{country ? t('inbox.forState', { state: partyName(parties, country) }) : t('inbox.forAnyone')}</p>
      {error && <ProblemMessage error={error} />}
      {!data ? (
        !error && <Loading />
      ) : (
        <>
          <p role="status" aria-live="polite">
            {t('inbox.count', { count: data.length })}
          </p>
          {data.length > 0 && (
            <table className="list">
              <caption className="visually-hidden">{t('inbox.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('field.title')}</th>
                  <th scope="col">{t('field.category')}</th>
                  <th scope="col">{t('inbox.awaiting')}</th>
                  <th scope="col">{t('field.version')}</th>
                  <th scope="col">{t('field.signOffDeadline')}</th>
                </tr>
              </thead>
              <tbody>
                {data.map((item) => (
                  <tr key={item.initiativeId}>
                    <th scope="row">
                      <a href={href.initiative(item.initiativeId)}>{item.title}</a>
                    </th>
                    <td>{t(`category.${item.category}`)}</td>
                    <td>
                      <States codes={item.pendingStates} />
                    </td>
                    <td>{item.proposalVersion}</td>
                    <td>
                      <Deadline iso={item.signOffDeadline} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </Main>
  );
}
