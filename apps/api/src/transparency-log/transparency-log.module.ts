import { Module } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  CheckpointCosigned,
  cosignaturesDecider,
  LOG_EVENT_SCHEMA_VERSION,
  logEventOf,
} from '@accord/domain';
import { DecisionHandler, EventStore } from '@accord/event-store';
import { COSIGNATURES_DECISION_HANDLER, EVENT_STORE } from '../infrastructure/tokens';
import { GetCheckpointController } from './get-checkpoint/get-checkpoint.controller';
import { GetCheckpointHandler } from './get-checkpoint/get-checkpoint.query';
import { GetConsistencyProofController } from './get-consistency-proof/get-consistency-proof.controller';
import { GetConsistencyProofHandler } from './get-consistency-proof/get-consistency-proof.query';
import { GetInclusionProofController } from './get-inclusion-proof/get-inclusion-proof.controller';
import { GetInclusionProofHandler } from './get-inclusion-proof/get-inclusion-proof.query';
import { GetLeavesController } from './get-leaves/get-leaves.controller';
import { GetLeavesHandler } from './get-leaves/get-leaves.query';
import { GetLogKeyController } from './get-log-key/get-log-key.controller';
import { GetLogKeyHandler } from './get-log-key/get-log-key.query';
import { RecordCosignatureController } from './record-cosignature/record-cosignature.controller';
import { RecordCosignatureHandler } from './record-cosignature/record-cosignature.command';
import { TransparencyLog } from './shared/transparency-log';

const COMMANDS = { controllers: [RecordCosignatureController], handlers: [RecordCosignatureHandler] };

const QUERIES = {
  controllers: [
    GetLogKeyController,
    GetCheckpointController,
    GetInclusionProofController,
    GetConsistencyProofController,
    GetLeavesController,
  ],
  handlers: [
    GetLogKeyHandler,
    GetCheckpointHandler,
    GetInclusionProofHandler,
    GetConsistencyProofHandler,
    GetLeavesHandler,
  ],
};

/** The transparency log's routes (docs/trust.md §4): its key, checkpoints, proofs, leaves, and cosignatures. */
@Module({
  controllers: [...COMMANDS.controllers, ...QUERIES.controllers],
  providers: [
    ...COMMANDS.handlers,
    ...QUERIES.handlers,
    TransparencyLog,
    {
      provide: COSIGNATURES_DECISION_HANDLER,
      inject: [EVENT_STORE],
      useFactory: (store: EventStore) =>
        new DecisionHandler(store, cosignaturesDecider, {
          newEventId: randomUUID,
          read: (stored) => logEventOf<CheckpointCosigned>(stored),
          schemaVersion: LOG_EVENT_SCHEMA_VERSION,
        }),
    },
  ],
  exports: [TransparencyLog],
})
export class TransparencyLogModule {}
