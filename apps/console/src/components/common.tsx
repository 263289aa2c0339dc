import { ApiError } from '../api';
import { partyName, useWorkspace } from '../context';
import { useI18n } from '../i18n';
import type { Status } from '../types';

export function StatusBadge({ status }: { status: Status }) {
  const { t } = useI18n();
  return <span className={`badge status-${status}`}>{t(`status.${status}`)}</span>;
}

/** States by name, their codes kept for those who read codes. */
export function States({ codes }: { codes: string[] }) {
  const { parties } = useWorkspace();
  const { t } = useI18n();
  if (codes.length === 0) return <>{t('common.none')}</>;
  return (
    <>
      {codes.map((code, index) => (
        <span key={code}>
          {index > 0 && ', '}
          <abbr title={partyName(parties, code)}>{code}</abbr>
        </span>
      ))}
    </>
  );
}

/** A deadline with the time left to it (or since it passed), in the chosen language. */
export function Deadline({ iso, now }: { iso: string; now?: number }) {
  const { dateTime, relative, t } = useI18n();
  const passed = Date.parse(iso) <= (now ?? Date.now());
  return (
    <>
      <time dateTime={iso}>{dateTime(iso)}</time>{' '}
      <span className={passed ? 'passed' : 'time-left'}>
        ({passed ? t('common.deadlinePassed', { when: relative(iso, now) }) : relative(iso, now)})
      </span>
    </>
  );
}

/** What went wrong, said by the problem's stable code when the console knows it, else by the server's words. */
export function ProblemMessage({ error }: { error: ApiError }) {
  const { t } = useI18n();
  const key = `problem.${error.problem.code}`;
  const known = t(key);
  return (
    <p className="error" role="alert">
      {known === key ? (error.problem.detail ?? error.problem.title) : known}
    </p>
  );
}

export function Loading() {
  const { t } = useI18n();
  return <p role="status">{t('common.loading')}</p>;
}
