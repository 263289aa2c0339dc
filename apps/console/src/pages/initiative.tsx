import { FormEvent, useRef, useState } from 'react';
import { Main } from '../components/main';
import { ApiError } from '../api';
import { Loading, ProblemMessage, StatusBadge } from '../components/common';
import { ProposalDetails, ProposalDiff } from '../components/proposal';
import { partyName, useWorkspace } from '../context';
import { useI18n } from '../i18n';
import { href } from '../router';
import { KeyFileError, PrivateKeyFile, readKeyFile, signCommand } from '../signing';
import { DECISIONS, Decision, EventRecord, InitiativeView } from '../types';
import { useLoad } from '../use-load';

/** Others' sign-offs appear within this, without a reload. */
const POLL_MS = 4000;

interface VoidedSignOff {
  state: string;
  decision: Decision;
  proposalVersion: number;
  decidedAt: string;
}

interface Loaded {
  view: InitiativeView;
  /** The text the current version replaced, when there is one. */
  previous: InitiativeView | null;
  /** Sign-offs of earlier versions: an amendment voided them. */
  voided: VoidedSignOff[];
}

export function InitiativePage({ id }: { id: string }) {
  const { api, session } = useWorkspace();
  const { t } = useI18n();
  // After a decision, the read model is asked for at least the revision it wrote (read your own write).
  const minRevision = useRef(0);
  const [announcement, setAnnouncement] = useState<string | null>(null);
  const previousByRevision = useRef(new Map<number, InitiativeView>());
  const { data, error, reload } = useLoad<Loaded>(
    async () => {
      const [view, { events }] = await Promise.all([
        api.get<InitiativeView>(`/v1/initiatives/${id}?minRevision=${minRevision.current}`),
        api.get<{ events: EventRecord[] }>(`/v1/initiatives/${id}/history`),
      ]);
      const amended = events.findLast(
        (event) => event.type === 'InitiativeAmended' && event.data.proposalVersion === view.proposalVersion,
      );
      let previous: InitiativeView | null = null;
      if (amended) {
        const before = amended.revision - 1;
        previous =
          previousByRevision.current.get(before) ??
          (await api.get<InitiativeView>(`/v1/initiatives/${id}/state?atRevision=${before}`));
        previousByRevision.current.set(before, previous);
      }
      const voided = events
        .filter(
          (event) =>
            event.type === 'NationalSignOffRecorded' &&
            (event.data.proposalVersion as number) < view.proposalVersion,
        )
        .map((event) => ({
          state: event.data.state as string,
          decision: event.data.decision as Decision,
          proposalVersion: event.data.proposalVersion as number,
          decidedAt: event.occurredAt,
        }));
      return { view, previous, voided };
    },
    `initiative/${id}`,
    POLL_MS,
  );

  if (!data)
    return (
      <Main title={error ? t('initiative.unavailable') : t('common.loading')}>
        {error ? <ProblemMessage error={error} /> : <Loading />}
      </Main>
    );

  const { view, previous, voided } = data;
  const country = session.role === 'focal-point' ? session.country : null;
  const mayDecide =
    country !== null &&
    view.participatingStates.includes(country) &&
    (view.status === 'awaiting-sign-offs' || view.status === 'changes-requested') &&
    !view.signOffs.some((signOff) => signOff.state === country) &&
    Date.parse(view.signOffDeadline) > Date.now();

  return (
    <Main title={view.title}>
      <p className="meta">
        <StatusBadge status={view.status} />{' '}
        <span>{t('initiative.version', { version: view.proposalVersion })}</span> ·{' '}
        <a href={href.audit(id)}>{t('audit.heading')}</a>
      </p>
      {error && <ProblemMessage error={error} />}
      <p className="success" role="status">
        {announcement}
      </p>
      <section aria-labelledby="proposal-heading">
        <h2 id="proposal-heading">{t('initiative.proposal')}</h2>
        <ProposalDetails proposal={view} />
      </section>
      {previous && (
        <section aria-labelledby="diff-heading">
          <h2 id="diff-heading">
            {t('initiative.changes', { version: view.proposalVersion, previous: previous.proposalVersion })}
          </h2>
          <ProposalDiff before={previous} after={view} />
        </section>
      )}
      <SignOffs view={view} voided={voided} />
      {view.funding && <FundingSection view={view} />}
      {mayDecide && country && (
        <DecisionForm
          view={view}
          country={country}
          onDecided={(revision, message) => {
            minRevision.current = revision;
            setAnnouncement(message);
            reload();
          }}
        />
      )}
    </Main>
  );
}

function SignOffs({ view, voided }: { view: InitiativeView; voided: VoidedSignOff[] }) {
  const { t, dateTime } = useI18n();
  const { parties } = useWorkspace();
  const changeRequests = view.changeRequests.filter(
    (request) => request.proposalVersion === view.proposalVersion,
  );
  return (
    <section aria-labelledby="sign-offs-heading">
      <h2 id="sign-offs-heading">{t('initiative.signOffs', { version: view.proposalVersion })}</h2>
      <table className="list sign-offs">
        <thead>
          <tr>
            <th scope="col">{t('field.state')}</th>
            <th scope="col">{t('field.decision')}</th>
            <th scope="col">{t('field.comment')}</th>
            <th scope="col">{t('field.decidedAt')}</th>
          </tr>
        </thead>
        <tbody>
          {view.participatingStates.map((state) => {
            const signOff = view.signOffs.find((candidate) => candidate.state === state);
            const request = changeRequests.findLast((candidate) => candidate.state === state);
            return (
              <tr key={state}>
                <th scope="row">{partyName(parties, state)}</th>
                <td>
                  {signOff ? (
                    <span className={`badge decision-${signOff.decision}`}>
                      {t(`decision.${signOff.decision}`)}
                    </span>
                  ) : request ? (
                    <span className="badge decision-changes">{t('decision.changes')}</span>
                  ) : (
                    <span className="pending">{t('decision.pending')}</span>
                  )}
                </td>
                <td>{signOff?.comment ?? request?.comment ?? ''}</td>
                <td>{signOff ? dateTime(signOff.decidedAt) : request ? dateTime(request.at) : ''}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {voided.length > 0 && (
        <>
          <h3>{t('initiative.voided')}</h3>
          <ul className="voided">
            {voided.map((signOff, index) => (
              <li key={index}>
                <del>
                  {t('initiative.voidedSignOff', {
                    state: partyName(parties, signOff.state),
                    decision: t(`decision.${signOff.decision}`),
                    version: signOff.proposalVersion,
                    when: dateTime(signOff.decidedAt),
                  })}
                </del>{' '}
                <span className="badge voided-badge">{t('initiative.voidedBadge')}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function FundingSection({ view }: { view: InitiativeView }) {
  const { t, money, dateTime } = useI18n();
  const funding = view.funding!;
  return (
    <section aria-labelledby="funding-heading">
      <h2 id="funding-heading">{t('initiative.funding')}</h2>
      <p>
        {t(`funding.${funding.decision}`)}
        {funding.amount &&
          funding.currency &&
          ` — ${money({ amount: funding.amount, currency: funding.currency })}`}
        {' · '}
        {funding.fundingBody} · {dateTime(funding.decidedAt)}
      </p>
      {funding.conditions && <p>{funding.conditions}</p>}
    </section>
  );
}

/**
 * A focal point's decision on the current version: a sign-off, or a request for changes. When the state has keys,
 * the command is signed here, in the browser, with the key file the official chooses: the key is never sent.
 */
function DecisionForm({
  view,
  country,
  onDecided,
}: {
  view: InitiativeView;
  country: string;
  onDecided: (revision: number, message: string) => void;
}) {
  const { api, parties } = useWorkspace();
  const { t } = useI18n();
  const needsKey = (parties.find((party) => party.code === country)?.keys.length ?? 0) > 0;
  const [decision, setDecision] = useState<Decision | null>(null);
  const [comment, setComment] = useState('');
  const [key, setKey] = useState<PrivateKeyFile | null>(null);
  const [problem, setProblem] = useState<string | ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const mayApprove = view.status === 'awaiting-sign-offs';

  const chooseKey = async (file: File | undefined) => {
    setKey(null);
    setProblem(null);
    if (!file) return;
    try {
      const read = await readKeyFile(file);
      if (read.party !== country) setProblem(t('decide.keyOfAnother', { party: read.party }));
      else setKey(read);
    } catch (error) {
      setProblem(t(`decide.keyError.${error instanceof KeyFileError ? error.message : 'not-json'}`));
    }
  };

  const send = async (command: 'record-sign-off' | 'request-changes') => {
    setProblem(null);
    if (command === 'record-sign-off' && !decision) return setProblem(t('decide.chooseDecision'));
    if (command === 'request-changes' && comment.trim() === '') return setProblem(t('decide.commentNeeded'));
    if (needsKey && !key) return setProblem(t('decide.keyNeeded'));
    const base = { state: country, proposalVersion: view.proposalVersion, proposalHash: view.proposalHash };
    const body: Record<string, unknown> =
      command === 'record-sign-off'
        ? { ...base, decision, ...(comment.trim() && { comment: comment.trim() }) }
        : { ...base, comment: comment.trim() };
    setBusy(true);
    try {
      if (key)
        body.signature = await signCommand({
          key,
          command,
          initiativeId: view.initiativeId,
          party: country,
          body,
        });
      const path = command === 'record-sign-off' ? 'sign-offs' : 'change-requests';
      const answer = await api.post<{ revision: number }>(
        `/v1/initiatives/${view.initiativeId}/${path}`,
        body,
      );
      onDecided(
        answer.revision,
        command === 'record-sign-off'
          ? t('decide.signedOff', { decision: t(`decision.${decision}`) })
          : t('decide.changesRequested'),
      );
    } catch (error) {
      setProblem(error instanceof ApiError ? error : t('decide.signingFailed'));
    } finally {
      setBusy(false);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void send('record-sign-off');
  };

  return (
    <section aria-labelledby="decide-heading" className="panel">
      <h2 id="decide-heading">{t('decide.heading', { state: partyName(parties, country) })}</h2>
      <form onSubmit={submit} noValidate>
        {mayApprove && (
          <fieldset>
            <legend>{t('field.decision')}</legend>
            {DECISIONS.map((choice) => (
              <div key={choice} className="choice">
                <input
                  type="radio"
                  id={`decision-${choice}`}
                  name="decision"
                  value={choice}
                  checked={decision === choice}
                  onChange={() => setDecision(choice)}
                />
                <label htmlFor={`decision-${choice}`}>{t(`decision.choice.${choice}`)}</label>
              </div>
            ))}
          </fieldset>
        )}
        <div className="field">
          <label htmlFor="comment">{t('field.comment')}</label>
          <textarea
            id="comment"
            rows={3}
            maxLength={2000}
            value={comment}
            aria-describedby="comment-hint"
            onChange={(event) => setComment(event.target.value)}
          />
          <p id="comment-hint" className="hint">
            {t('decide.commentHint')}
          </p>
        </div>
        {needsKey && (
          <div className="field">
            <label htmlFor="signing-key">{t('decide.signingKey')}</label>
            <input
              id="signing-key"
              type="file"
              accept=".json,application/json"
              aria-describedby="signing-key-hint"
              onChange={(event) => void chooseKey(event.target.files?.[0])}
            />
            <p id="signing-key-hint" className="hint">
              {key ? t('decide.keyChosen', { kid: key.kid }) : t('decide.keyHint', { state: country })}
            </p>
          </div>
        )}
        {problem &&
          (typeof problem === 'string' ? (
            <p className="error" role="alert">
              {problem}
            </p>
          ) : (
            <ProblemMessage error={problem} />
          ))}
        <div className="actions">
          {mayApprove && (
            <button type="submit" className="primary" disabled={busy}>
              {t('decide.signOff')}
            </button>
          )}
          <button type="button" disabled={busy} onClick={() => void send('request-changes')}>
            {t('decide.requestChanges')}
          </button>
        </div>
      </form>
    </section>
  );
}
