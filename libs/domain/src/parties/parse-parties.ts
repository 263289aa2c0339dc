import { Party } from './parties';

const CODE = /^[A-Z]{3}$/;

/** Checks a parties file's content; returns the problems found, empty when it is usable. */
export function partiesFileProblems(content: unknown): string[] {
  if (!Array.isArray(content) || content.length === 0) return ['must be a non-empty JSON array of parties'];
  const problems: string[] = [];
  const seen = new Set<string>();
  content.forEach((entry: Partial<Party> | null, index) => {
    if (typeof entry !== 'object' || entry === null) {
      problems.push(`entry ${index} is not an object`);
      return;
    }
    if (typeof entry.code !== 'string' || !CODE.test(entry.code))
      problems.push(`entry ${index}: code must be an ISO 3166-1 alpha-3 code`);
    else if (seen.has(entry.code)) problems.push(`entry ${index}: code ${entry.code} appears twice`);
    else seen.add(entry.code);
    if (typeof entry.name !== 'string' || entry.name.trim() === '')
      problems.push(`entry ${index}: name is required`);
    if (entry.role !== 'member' && entry.role !== 'observer')
      problems.push(`entry ${index}: role must be member or observer`);
  });
  if (!content.some((entry: Partial<Party> | null) => entry?.role === 'member'))
    problems.push('no member state');
  return problems;
}
