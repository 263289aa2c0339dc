import { RevisionQuery } from '../shared/fields';

export class GetInitiativeDto {
  @RevisionQuery('Wait up to 5 s until the read model has reached this revision, else 503 projection-lagging')
  minRevision?: string;
}
