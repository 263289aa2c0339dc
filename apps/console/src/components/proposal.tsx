import { wordDiff } from '../diff';
import { useI18n } from '../i18n';
import { PROPOSAL_FIELDS, ProposalField, InitiativeView, Money, ApprovalRule } from '../types';
import { Deadline, States } from './common';

type ProposalText = Pick<InitiativeView, ProposalField | 'proposingState'>;

/** A proposal field's value as a person reads it, in the chosen language. */
export function useFieldText() {
  const { t, dateTime, money } = useI18n();
  return (field: ProposalField, value: unknown): string => {
    switch (field) {
      case 'category':
        return t(`category.${value as string}`);
      case 'participatingStates':
        return (value as string[]).join(', ');
      case 'approvalRule': {
        const rule = value as ApprovalRule;
        return rule.kind === 'quorum' ? t('rule.quorum', { count: rule.minApprovals }) : t('rule.unanimity');
      }
      case 'signOffDeadline':
        return dateTime(value as string);
      case 'requestedFunding':
        return value ? money(value as Money) : t('common.none');
      default:
        return String(value);
    }
  };
}

export function ProposalDetails({ proposal }: { proposal: ProposalText }) {
  const { t } = useI18n();
  const text = useFieldText();
  return (
    <dl className="details">
      <dt>{t('field.summary')}</dt>
      <dd className="summary">{proposal.summary}</dd>
      <dt>{t('field.category')}</dt>
      <dd>{text('category', proposal.category)}</dd>
      <dt>{t('field.proposingState')}</dt>
      <dd>
        <States codes={[proposal.proposingState]} />
      </dd>
      <dt>{t('field.participatingStates')}</dt>
      <dd>
        <States codes={proposal.participatingStates} />
      </dd>
      <dt>{t('field.approvalRule')}</dt>
      <dd>{text('approvalRule', proposal.approvalRule)}</dd>
      <dt>{t('field.signOffDeadline')}</dt>
      <dd>
        <Deadline iso={proposal.signOffDeadline} />
      </dd>
      <dt>{t('field.requestedFunding')}</dt>
      <dd>{text('requestedFunding', proposal.requestedFunding)}</dd>
    </dl>
  );
}

/**
 * What an amendment changed, field by field: texts word by word, the rest as the old value and the new. Removed
 * and added words are marked up as such (del, ins) and also said in words, for readers who do not see the colours.
 */
export function ProposalDiff({ before, after }: { before: ProposalText; after: ProposalText }) {
  const { t } = useI18n();
  const text = useFieldText();
  const changed = PROPOSAL_FIELDS.filter(
    (field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]),
  );
  if (changed.length === 0) return <p>{t('diff.nothing')}</p>;
  return (
    <dl className="diff">
      {changed.map((field) => (
        <div key={field} className="diff-field">
          <dt>{t(`field.${field}`)}</dt>
          <dd>
            {field === 'title' || field === 'summary' ? (
              wordDiff(before[field], after[field]).map((part, index) => <Part key={index} {...part} />)
            ) : field === 'participatingStates' ? (
              <StatesDiff before={before.participatingStates} after={after.participatingStates} />
            ) : (
              <>
                <Part kind="removed" text={text(field, before[field])} />{' '}
                <Part kind="added" text={text(field, after[field])} />
              </>
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}

function StatesDiff({ before, after }: { before: string[]; after: string[] }) {
  return (
    <>
      {[...new Set([...before, ...after])].map((code, index) => (
        <span key={code}>
          {index > 0 && ', '}
          <Part
            kind={!after.includes(code) ? 'removed' : !before.includes(code) ? 'added' : 'same'}
            text={code}
          />
        </span>
      ))}
    </>
  );
}

function Part({ kind, text }: { kind: 'same' | 'removed' | 'added'; text: string }) {
  const { t } = useI18n();
  if (kind === 'same') return <>{text}</>;
  const Tag = kind === 'removed' ? 'del' : 'ins';
  return (
    <Tag>
      <span className="visually-hidden">[{t(`diff.${kind}`)}: </span>
      {text}
      <span className="visually-hidden">]</span>
    </Tag>
  );
}
