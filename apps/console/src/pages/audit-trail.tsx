import { useRef, useState } from 'react';
import { Main } from '../components/main';
import { Api, ApiError } from '../api';
import { Loading, ProblemMessage, States, StatusBadge } from '../components/common';
import { ProposalDetails } from '../components/proposal';
import { partyName, useWorkspace } from '../context';
import { download } from '../csv';
import { useI18n } from '../i18n';
import { href } from '../router';
import type { AuditReport, EventRecord, InitiativeView } from '../types';
import { useLoad } from '../use-load';

/** The events a party's command records, and so its signature: the others are their consequences. */
const DECISIONS = new Set([
  'InitiativeProposed',
  'NationalSignOffRecorded',
  'ChangesRequested',
  'InitiativeAmended',
  'InitiativeWithdrawn',
  'FundingDecisionRecorded',
]);

/** New events, checkpoints and cosignatures appear within this, without a reload. */
const POLL_MS = 5000;

interface Checkpoint {
  origin: string;
  size: number;
  rootHash: string;
  /** The names on the signature lines: the log's own (its origin) and the witnesses'. */
  witnesses: string[];
  signedByLog: boolean;
}

/** A C2SP signed note of a tlog-checkpoint: origin, size, root hash, a blank line, then `— name signature` lines. */
export function parseCheckpoint(note: string): Checkpoint | null {
  const [body, signatures = ''] = note.split('\n\n');
  const [origin, size, rootHash] = body.split('\n');
  if (!origin || !/^\d+$/.test(size ?? '') || !rootHash) return null;
  const names = signatures
    .split('\n')
    .filter((line) => line.startsWith('\u2014 '))
    .map((line) => line.slice(2).split(' ')[0]);
  return {
    origin,
    size: Number(size),
    rootHash,
    witnesses: names.filter((name) => name !== origin),
    signedByLog: names.includes(origin),
  };
}

/**
 * The events as stored. A damaged event (a byte changed on disk) makes /history refuse to answer; the audit bundle
 * still holds the events before it, and a record of type `unreadable` where it sits: what an auditor must see.
 */
async function storedEvents(api: Api, id: string): Promise<EventRecord[]> {
  try {
    return (await api.get<{ events: EventRecord[] }>(`/v1/initiatives/${id}/history`)).events;
  } catch (error) {
    if (!(error instanceof ApiError && error.problem.code === 'stored-event-damaged')) throw error;
    return (await api.get<{ events: EventRecord[] }>(`/v1/initiatives/${id}/audit-bundle`)).events;
  }
}

interface Trail {
  events: EventRecord[];
  audit: AuditReport;
  checkpoint: Checkpoint | null;
}

/**
 * An initiative's history as an auditor reads it: every event, the chain and signature checks, the transparency
 * log's checkpoint, and the initiative as it stood at any revision.
 */
export function AuditTrailPage({ id }: { id: string }) {
  const { api } = useWorkspace();
  const { t } = useI18n();
  const { data, error } = useLoad<Trail>(
    async () => {
      const [events, audit, note] = await Promise.all([
        storedEvents(api, id),
        api.get<AuditReport>(`/v1/initiatives/${id}/audit`),
        // No checkpoint yet, or no log: the page says so instead of failing.
        api.text('/v1/log/checkpoint').catch(() => null),
      ]);
      return { events, audit, checkpoint: note ? parseCheckpoint(note) : null };
    },
    `audit/${id}`,
    POLL_MS,
  );

  if (!data)
    return <Main title={t('audit.heading')}>{error ? <ProblemMessage error={error} /> : <Loading />}</Main>;
  return (
    <Main title={t('audit.heading')}>
      <TrailBody id={id} trail={data} />
    </Main>
  );
}

function TrailBody({ id, trail }: { id: string; trail: Trail }) {
  const { api } = useWorkspace();
  const { t, number } = useI18n();
  const { events, audit, checkpoint } = trail;
  // The slider reaches the last event that can be folded into a state.
  const head = events.filter((event) => event.type !== 'unreadable').length - 1;
  const [revision, setRevision] = useState(head);
  const states = useRef(new Map<number, InitiativeView>());
  const [downloadError, setDownloadError] = useState<ApiError | null>(null);
  const { data: state, error } = useLoad(async () => {
    const known = states.current.get(revision);
    if (known) return known;
    const loaded = await api.get<InitiativeView>(`/v1/initiatives/${id}/state?atRevision=${revision}`);
    states.current.set(revision, loaded);
    return loaded;
  }, `state/${id}/${revision}`);
  const current = state ?? states.current.get(head);

  const downloadBundle = async () => {
    setDownloadError(null);
    try {
      const bundle = await api.text(`/v1/initiatives/${id}/audit-bundle`);
      download(`accord-audit-bundle-${id}.json`, bundle, 'application/json');
    } catch (failure) {
      setDownloadError(failure as ApiError);
    }
  };

  return (
    <>
      <p className="meta">
        <a href={href.initiative(id)}>{current?.title ?? id}</a>{' '}
        {audit.verified ? (
          <span className="badge verified">{t('audit.chainVerified')}</span>
        ) : (
          <span className="badge broken">
            {t('audit.brokenAt', { revision: audit.brokenAtRevision ?? 0 })}
          </span>
        )}{' '}
        <button type="button" onClick={() => void downloadBundle()}>
          {t('audit.downloadBundle')}
        </button>
      </p>
      {downloadError && <ProblemMessage error={downloadError} />}

      <section aria-labelledby="revision-heading" className="panel">
        <h2 id="revision-heading">{t('audit.asItStood')}</h2>
        <div className="field slider">
          <label htmlFor="revision">{t('audit.revision')}</label>
          <input
            id="revision"
            type="range"
            min={0}
            max={head}
            step={1}
            value={revision}
            aria-valuetext={t('audit.revisionOf', { revision, head })}
            onChange={(event) => setRevision(Number(event.target.value))}
          />
          <output htmlFor="revision">{t('audit.revisionOf', { revision, head })}</output>
        </div>
        {error && <ProblemMessage error={error} />}
        {state ? (
          <div aria-live="polite" className="as-it-stood">
            <p className="meta">
              <StatusBadge status={state.status} />{' '}
              <span>{t('initiative.version', { version: state.proposalVersion })}</span>{' '}
              <span>{t('audit.eventAt', { type: t(`event.${events[revision]?.type}`), revision })}</span>
            </p>
            <h3>{state.title}</h3>
            <ProposalDetails proposal={state} />
            <p>
              {t('audit.signedSoFar')}{' '}
              {state.signOffs.length === 0
                ? t('common.none')
                : state.signOffs
                    .map((signOff) => `${signOff.state}: ${t(`decision.${signOff.decision}`)}`)
                    .join(', ')}
            </p>
          </div>
        ) : (
          !error && <Loading />
        )}
      </section>

      <section aria-labelledby="timeline-heading">
        <h2 id="timeline-heading">{t('audit.timeline')}</h2>
        <ol className="timeline">
          {events.map((event) => (
            <TimelineEvent
              key={event.revision}
              event={event}
              check={audit.revisions.find((candidate) => candidate.revision === event.revision)}
              broken={audit.brokenAtRevision !== null && event.revision >= audit.brokenAtRevision}
              selected={event.revision === revision}
              onShow={() => setRevision(event.revision)}
            />
          ))}
        </ol>
      </section>

      <section aria-labelledby="log-heading">
        <h2 id="log-heading">{t('audit.log')}</h2>
        {checkpoint ? (
          <dl className="details">
            <dt>{t('audit.logOrigin')}</dt>
            <dd>{checkpoint.origin}</dd>
            <dt>{t('audit.treeSize')}</dt>
            <dd>{number(checkpoint.size)}</dd>
            <dt>{t('audit.rootHash')}</dt>
            <dd>
              <code>{checkpoint.rootHash}</code>
            </dd>
            <dt>{t('audit.witnesses')}</dt>
            <dd>
              {checkpoint.witnesses.length === 0 ? (
                t('audit.noWitnesses')
              ) : (
                <ul className="plain">
                  {checkpoint.witnesses.map((name) => (
                    <li key={name}>{name}</li>
                  ))}
                </ul>
              )}
            </dd>
          </dl>
        ) : (
          <p>{t('audit.noCheckpoint')}</p>
        )}
      </section>
    </>
  );
}

function TimelineEvent({
  event,
  check,
  broken,
  selected,
  onShow,
}: {
  event: EventRecord;
  check: AuditReport['revisions'][number] | undefined;
  broken: boolean;
  selected: boolean;
  onShow: () => void;
}) {
  const { t, dateTime } = useI18n();
  const { parties } = useWorkspace();
  const { data } = event;
  const actor = event.actor.country
    ? `${event.actor.sub} (${t(`role.${event.actor.role}`)}, ${partyName(parties, event.actor.country)})`
    : `${event.actor.sub} (${t(`role.${event.actor.role}`)})`;
  return (
    <li className={selected ? 'selected' : undefined}>
      <p>
        <strong>
          {t('audit.revisionN', { revision: event.revision })}: {t(`event.${event.type}`)}
        </strong>{' '}
        {event.occurredAt && <time dateTime={event.occurredAt}>{dateTime(event.occurredAt)}</time>}
      </p>
      <p hidden={event.type === 'unreadable'}>
        {t('audit.by', { actor })}
        {event.type === 'NationalSignOffRecorded' && (
          <>
            {' — '}
            <States codes={[data.state as string]} />: {t(`decision.${data.decision as string}`)}
          </>
        )}
        {typeof data.proposalVersion === 'number' && (
          <> · {t('initiative.version', { version: data.proposalVersion })}</>
        )}
      </p>
      <p className="badges">
        {broken && <span className="badge broken">{t('audit.linkBroken')}</span>}
        {DECISIONS.has(event.type) && check && (
          <span className={`badge signature-${check.signature}`} title={check.reason}>
            {t(`audit.signature.${check.signature}`)}
          </span>
        )}{' '}
        {event.type !== 'unreadable' && (
          <button type="button" className="link-button" onClick={onShow} aria-pressed={selected}>
            {t('audit.show', { revision: event.revision })}
          </button>
        )}
      </p>
    </li>
  );
}
