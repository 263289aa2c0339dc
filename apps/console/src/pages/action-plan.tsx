import { useState } from 'react';
import { Main } from '../components/main';
import { allPages } from '../api';
import { BarChart } from '../components/bar-chart';
import { Loading, ProblemMessage, States, StatusBadge } from '../components/common';
import { useWorkspace } from '../context';
import { download, toCsv } from '../csv';
import { useI18n } from '../i18n';
import { href } from '../router';
import { CATEGORIES, InitiativeSummary, STATUSES } from '../types';
import { useLoad } from '../use-load';

const POLL_MS = 5000;
const ALL = '';

/** The whole plan: every initiative the reader may see, by status and category, filtered, charted and exported. */
export function ActionPlanPage() {
  const { api, parties } = useWorkspace();
  const { t, date, money } = useI18n();
  const [status, setStatus] = useState(ALL);
  const [category, setCategory] = useState(ALL);
  const [state, setState] = useState(ALL);
  const { data, error } = useLoad(
    () => allPages<InitiativeSummary>(api, '/v1/initiatives'),
    'action-plan',
    POLL_MS,
  );

  const members = parties.filter((party) => party.role !== 'body');
  const inCategoryAndState = (data ?? []).filter(
    (item) =>
      (category === ALL || item.category === category) &&
      (state === ALL || item.participatingStates.includes(state)),
  );
  const shown = inCategoryAndState.filter((item) => status === ALL || item.status === status);
  const count = (items: InitiativeSummary[], wanted: string) =>
    items.filter((item) => item.status === wanted).length;
  const usedCategories = CATEGORIES.filter((candidate) => shown.some((item) => item.category === candidate));
  const funding = new Map<string, number>();
  for (const item of shown)
    if (item.requestedFunding)
      funding.set(
        item.requestedFunding.currency,
        (funding.get(item.requestedFunding.currency) ?? 0) +
          Math.round(Number(item.requestedFunding.amount) * 100),
      );

  const exportCsv = () => {
    const rows = shown.map((item) => [
      item.initiativeId,
      item.title,
      item.category,
      item.status,
      item.proposingState,
      item.participatingStates.join(' '),
      item.proposalVersion,
      item.signOffDeadline,
      item.requestedFunding?.amount ?? '',
      item.requestedFunding?.currency ?? '',
    ]);
    const header = [
      'initiativeId',
      'title',
      'category',
      'status',
      'proposingState',
      'participatingStates',
      'proposalVersion',
      'signOffDeadline',
      'requestedAmount',
      'currency',
    ];
    download('accord-action-plan.csv', toCsv([header, ...rows]), 'text/csv;charset=utf-8');
  };

  return (
    <Main title={t('plan.heading')}>
      {error && <ProblemMessage error={error} />}
      <form className="filters" onSubmit={(event) => event.preventDefault()} aria-label={t('plan.filters')}>
        <div className="field">
          <label htmlFor="filter-status">{t('field.status')}</label>
          <select id="filter-status" value={status} onChange={(event) => setStatus(event.target.value)}>
            <option value={ALL}>{t('plan.all')}</option>
            {STATUSES.map((value) => (
              <option key={value} value={value}>
                {t(`status.${value}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-category">{t('field.category')}</label>
          <select id="filter-category" value={category} onChange={(event) => setCategory(event.target.value)}>
            <option value={ALL}>{t('plan.all')}</option>
            {CATEGORIES.map((value) => (
              <option key={value} value={value}>
                {t(`category.${value}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-state">{t('field.state')}</label>
          <select id="filter-state" value={state} onChange={(event) => setState(event.target.value)}>
            <option value={ALL}>{t('plan.all')}</option>
            {members.map((party) => (
              <option key={party.code} value={party.code}>
                {party.name}
              </option>
            ))}
          </select>
        </div>
        <button type="button" onClick={exportCsv} disabled={!data}>
          {t('plan.export')}
        </button>
      </form>
      {!data ? (
        !error && <Loading />
      ) : (
        <>
          <p role="status" aria-live="polite">
            {t('plan.count', { count: shown.length })}
            {[...funding].map(([currency, cents]) => (
              <span key={currency}>
                {' · '}
                {t('plan.requested', { amount: money({ amount: (cents / 100).toFixed(2), currency }) })}
              </span>
            ))}
          </p>
          <section aria-labelledby="chart-heading">
            <h2 id="chart-heading">{t('plan.byStatus')}</h2>
            <BarChart
              title={t('plan.byStatus')}
              bars={STATUSES.map((value) => ({
                key: value,
                label: t(`status.${value}`),
                value: count(inCategoryAndState, value),
              }))}
            />
          </section>
          <section aria-labelledby="matrix-heading">
            <h2 id="matrix-heading">{t('plan.byCategory')}</h2>
            <div className="scroll">
              <table className="matrix">
                <thead>
                  <tr>
                    <th scope="col">{t('field.category')}</th>
                    {STATUSES.map((value) => (
                      <th scope="col" key={value}>
                        {t(`status.${value}`)}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {usedCategories.map((value) => {
                    const items = shown.filter((item) => item.category === value);
                    return (
                      <tr key={value}>
                        <th scope="row">{t(`category.${value}`)}</th>
                        {STATUSES.map((wanted) => (
                          <td key={wanted}>{count(items, wanted) || ''}</td>
                        ))}
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          </section>
          <section aria-labelledby="list-heading">
            <h2 id="list-heading">{t('plan.initiatives')}</h2>
            <div className="scroll">
              <table className="list">
                <thead>
                  <tr>
                    <th scope="col">{t('field.title')}</th>
                    <th scope="col">{t('field.status')}</th>
                    <th scope="col">{t('field.category')}</th>
                    <th scope="col">{t('field.participatingStates')}</th>
                    <th scope="col">{t('field.signOffDeadline')}</th>
                    <th scope="col">{t('field.requestedFunding')}</th>
                  </tr>
                </thead>
                <tbody>
                  {shown.map((item) => (
                    <tr key={item.initiativeId}>
                      <th scope="row">
                        <a href={href.initiative(item.initiativeId)}>{item.title}</a>
                      </th>
                      <td>
                        <StatusBadge status={item.status} />
                      </td>
                      <td>{t(`category.${item.category}`)}</td>
                      <td>
                        <States codes={item.participatingStates} />
                      </td>
                      <td>
                        <time dateTime={item.signOffDeadline}>{date(item.signOffDeadline)}</time>
                      </td>
                      <td className="amount">{item.requestedFunding ? money(item.requestedFunding) : ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        </>
      )}
    </Main>
  );
}
