import { Projection } from '../projection';
import { initiativesProjection } from './initiatives.projection';
import { portfolioProjection } from './portfolio.projection';
import { transparencyLogProjection } from './transparency-log.projection';

/** Every projection the read store runs. */
export const PROJECTIONS: readonly Projection[] = [
  initiativesProjection,
  portfolioProjection,
  transparencyLogProjection,
];
