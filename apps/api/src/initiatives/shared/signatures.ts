import { Inject, Injectable } from '@nestjs/common';
import { InitiativeCommand, Parties, SignatureRef } from '@accord/domain';
import { CommandName, SignatureError, verifySignedCommand } from '@accord/trust';
import { ProblemException } from '../../http/problem';
import { CommandRequest } from '../../http/request-context';
import { PARTIES } from '../../infrastructure/tokens';

/** The statement's name of each command a party signs (docs/trust.md, "Signed commands"). */
const COMMAND_NAMES: Record<Exclude<InitiativeCommand['type'], 'ExpireSignOffs'>, CommandName> = {
  ProposeInitiative: 'propose-initiative',
  RecordNationalSignOff: 'record-sign-off',
  RequestChanges: 'request-changes',
  AmendInitiative: 'amend-initiative',
  WithdrawInitiative: 'withdraw-initiative',
  RecordFundingDecision: 'record-funding-decision',
};

/**
 * A party with keys signs every command its people send; a signature, when sent, must prove the very command —
 * checked before anything is decided, so that a refusal stores nothing and is not remembered under a key.
 */
@Injectable()
export class Signatures {
  constructor(@Inject(PARTIES) private readonly parties: Parties) {}

  /** The command's verified signature; undefined for an unsigned command of a party without keys. */
  async verify(
    initiativeId: string,
    command: InitiativeCommand,
    request: CommandRequest,
  ): Promise<SignatureRef | undefined> {
    if (command.type === 'ExpireSignOffs') return undefined;
    const { principal, body, receivedAt } = request;
    // A focal point signs for its state; the secretariat and the fund board for themselves.
    const party = principal.role === 'focal-point' ? (principal.country ?? '') : principal.role;
    const keys = this.parties.keysOf(party);
    const jws = body.signature;
    if (jws === undefined) {
      if (keys.length > 0)
        throw new ProblemException('signature-required', `${party} signs its commands: sign this one`);
      return undefined;
    }
    if (
      (command.type === 'RecordNationalSignOff' || command.type === 'RequestChanges') &&
      command.data.proposalHash === null
    )
      throw new ProblemException('validation-failed', 'A signed decision names the text it decides on', [
        { field: 'proposalHash', message: 'is required with a signature' },
      ]);
    try {
      const { kid, alg } = await verifySignedCommand({
        jws,
        keys,
        command: COMMAND_NAMES[command.type],
        initiativeId,
        party,
        body,
        now: receivedAt,
      });
      return { jws: jws as string, kid, alg };
    } catch (error) {
      if (error instanceof SignatureError) throw new ProblemException('invalid-signature', error.message);
      throw error;
    }
  }
}
