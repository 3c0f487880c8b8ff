import type { PipelineShape } from '#shared/domain/pipeline';

/** A sales pipeline of two open stages, won and lost, for pure tests of deal rules and reports. */
export const sales: PipelineShape = {
  id: 'P1',
  name: 'Sales',
  stages: [
    { id: 's1', name: 'prospecting', probability: 10, kind: 'open' },
    { id: 's2', name: 'proposal', probability: 50, kind: 'open' },
    { id: 'won', name: 'won', probability: 100, kind: 'won' },
    { id: 'lost', name: 'lost', probability: 0, kind: 'lost' },
  ],
};

/** A second pipeline whose won and lost stages have other names. */
export const renewals: PipelineShape = {
  id: 'P2',
  name: 'Renewals',
  stages: [
    { id: 'r1', name: 'due', probability: 40, kind: 'open' },
    { id: 'rwon', name: 'renewed', probability: 100, kind: 'won' },
    { id: 'rlost', name: 'churned', probability: 0, kind: 'lost' },
  ],
};
