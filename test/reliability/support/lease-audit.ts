import { Pool } from 'pg';

/** Every move of a checkpoint, with the fencing token it carried and the lease's token and holder at that moment. */
export interface CheckpointWrite {
  id: number;
  table: 'projection_checkpoints' | 'relay_checkpoints';
  name: string;
  position: number;
  fencingToken: number | null;
  leaseToken: number | null;
  leaseHolder: string | null;
  at: Date;
}

/** Every acquisition of a lease: who got it, with which token, when (the database's clock). */
export interface LeaseAcquisition {
  name: string;
  holder: string;
  fencingToken: number;
  at: Date;
}

/**
 * A record of history kept by the database itself, outside the code under test: triggers on the checkpoint tables
 * log each move with the token it carried and the lease's token at that moment (read in the writer's own
 * transaction), and a trigger on `leases` logs each acquisition. Install after the tables exist.
 */
export async function installLeaseAudit(pool: Pool): Promise<void> {
  await pool.query(`
    CREATE TABLE checkpoint_writes (
      id bigserial PRIMARY KEY, table_name text NOT NULL, name text NOT NULL, position bigint NOT NULL,
      fencing_token bigint, lease_token bigint, lease_holder text, at timestamptz NOT NULL DEFAULT clock_timestamp());
    CREATE TABLE lease_acquisitions (
      id bigserial PRIMARY KEY, name text NOT NULL, holder text NOT NULL, fencing_token bigint NOT NULL,
      at timestamptz NOT NULL DEFAULT clock_timestamp());

    CREATE FUNCTION record_checkpoint_write() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE lease_name text := CASE TG_TABLE_NAME WHEN 'relay_checkpoints' THEN 'relay:' || NEW.name ELSE 'projector' END;
    BEGIN
      INSERT INTO checkpoint_writes (table_name, name, position, fencing_token, lease_token, lease_holder)
        SELECT TG_TABLE_NAME, NEW.name, NEW.position, NEW.fencing_token, lease.fencing_token, lease.holder
        FROM (SELECT 1) AS one LEFT JOIN leases AS lease ON lease.name = lease_name;
      RETURN NEW;
    END $$;
    CREATE TRIGGER audit AFTER UPDATE ON projection_checkpoints FOR EACH ROW
      WHEN (NEW.position IS DISTINCT FROM OLD.position OR NEW.fencing_token IS DISTINCT FROM OLD.fencing_token)
      EXECUTE FUNCTION record_checkpoint_write();
    CREATE TRIGGER audit AFTER UPDATE ON relay_checkpoints FOR EACH ROW
      WHEN (NEW.position IS DISTINCT FROM OLD.position OR NEW.fencing_token IS DISTINCT FROM OLD.fencing_token)
      EXECUTE FUNCTION record_checkpoint_write();

    CREATE FUNCTION record_lease_acquisition() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' OR NEW.fencing_token <> OLD.fencing_token THEN
        INSERT INTO lease_acquisitions (name, holder, fencing_token) VALUES (NEW.name, NEW.holder, NEW.fencing_token);
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER audit AFTER INSERT OR UPDATE ON leases FOR EACH ROW EXECUTE FUNCTION record_lease_acquisition();
  `);
}

export async function checkpointWrites(pool: Pool): Promise<CheckpointWrite[]> {
  const { rows } = await pool.query('SELECT * FROM checkpoint_writes ORDER BY id');
  return rows.map((row) => ({
    id: Number(row.id),
    table: row.table_name,
    name: row.name,
    position: Number(row.position),
    fencingToken: row.fencing_token === null ? null : Number(row.fencing_token),
    leaseToken: row.lease_token === null ? null : Number(row.lease_token),
    leaseHolder: row.lease_holder,
    at: row.at,
  }));
}

export async function leaseAcquisitions(pool: Pool, name: string): Promise<LeaseAcquisition[]> {
  const { rows } = await pool.query('SELECT * FROM lease_acquisitions WHERE name = $1 ORDER BY id', [name]);
  return rows.map((row) => ({
    name: row.name,
    holder: row.holder,
    fencingToken: Number(row.fencing_token),
    at: row.at,
  }));
}

/**
 * What the history of writes shows against fencing: writes that carried no token or another token than the lease's
 * at that moment, and checkpoints whose token went back (a former holder writing after a newer one), per checkpoint.
 */
export function fencingViolations(writes: readonly CheckpointWrite[]): string[] {
  const problems: string[] = [];
  const lastToken = new Map<string, number>();
  for (const write of writes) {
    const checkpoint = `${write.table}/${write.name}`;
    if (write.fencingToken === null || write.fencingToken !== write.leaseToken)
      problems.push(
        `${checkpoint} moved to ${write.position} with token ${write.fencingToken} while the lease's token was ${write.leaseToken}`,
      );
    const last = lastToken.get(checkpoint) ?? 0;
    if (write.fencingToken !== null && write.fencingToken < last)
      problems.push(
        `${checkpoint} moved to ${write.position} with token ${write.fencingToken} after token ${last}`,
      );
    lastToken.set(checkpoint, Math.max(last, write.fencingToken ?? 0));
  }
  return problems;
}
