// The one-statement path of a state change (docs/architecture.md#one-statement-steps): the rows it
// depends on are read without locks, every check runs in TypeScript on what was read, and the whole
// change (with its audit entries and the answer to an Idempotency-Key) is written by one statement
// in autocommit that refuses if a row moved in between. Then nothing was written: the attempt is
// made again on fresh rows, where the checks see what the other writer did. One round trip holds
// locks, for as long as the statement runs, instead of a transaction held across several.
import type { Db } from '../db/database.js';
import { AppError } from '../core/errors.js';
import { answerOf, auditRefusal, storedAnswer, type Actor, type StoredAnswer, type StoredRow, type CommandResult, type Idempotency, type RefusalTarget, type UnitOfWorkOutcome } from './unit-of-work.js';

/** A row the statement needed at the version it was read at had moved on (SQLSTATE HW002). */
export class RowMoved extends Error {}
/** The Idempotency-Key was claimed before (SQLSTATE HW001): its stored answer is the answer. */
export class KeyTaken extends Error {}
class Replay extends Error { constructor(readonly answer: StoredAnswer) { super('replay'); } }

/** The one-statement refusals raised by the database functions (migrations/0005), as errors. */
export function statementRefusal(e: unknown): Error | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  if (code === 'HW002') return new RowMoved();
  if (code === 'HW001') return new KeyTaken();
  return undefined;
}

/** The answer the statement stores under the client's Idempotency-Key, with the change. */
export interface IdempotentAnswer extends Idempotency { status: number; body: unknown; headers: Record<string, string> }

export interface Attempt<T> {
  result: CommandResult<T>;
  /** Writes the change (one statement); given the answer to store when the client sent a key. */
  write(answer: IdempotentAnswer | null): Promise<void>;
}

export interface ReadCommand {
  db: Db;
  actor: Actor;
  /** The client's Idempotency-Key: the attempt reads its stored row with its other rows, in one round trip. */
  idempotency?: Idempotency;
  /** Answers with the stored row's answer, when it holds one for this request (refused for another). */
  replayIfStored(row: StoredRow | null): void;
  /** Names what a refusal of this command should be audited against. */
  onRefusal(target: RefusalTarget): void;
}

// A row that keeps moving under a writer is a hot spot, not a reason to loop for ever; after this
// many fresh reads the client is told to retry, as a lost lock race is told on the locked path.
const MAX_ATTEMPTS = 5;

export async function runOneStatement<T>(
  db: Db, actor: Actor, idem: Idempotency | undefined, attempt: (cmd: ReadCommand) => Promise<Attempt<T>>,
): Promise<UnitOfWorkOutcome<T>> {
  let refusal: RefusalTarget | undefined;
  const cmd: ReadCommand = {
    db, actor, idempotency: idem,
    replayIfStored: (row) => {
      const answer = idem && answerOf(row, idem);
      if (answer) throw new Replay(answer);
    },
    onRefusal: (target) => { refusal = target; },
  };
  for (let n = 1; ; n++) {
    try {
      const { result, write } = await attempt(cmd);
      await write(idem ? { ...idem, status: result.status, body: result.replayBody ?? result.body, headers: result.headers ?? {} } : null);
      return { replayed: false, result };
    } catch (e) {
      if (e instanceof Replay) return { replayed: true, answer: e.answer };
      if (e instanceof RowMoved) {
        if (n < MAX_ATTEMPTS) continue;
        throw new AppError('VERSION_CONFLICT', 'The container kept changing while this step was being recorded; retry');
      }
      // The key was claimed between this attempt's read and its write: a concurrent twin won.
      if (idem && e instanceof KeyTaken) {
        const answer = await storedAnswer(db, actor.caller.clientId, idem);
        if (answer) return { replayed: true, answer };
      }
      if (e instanceof KeyTaken) throw new AppError('CONFLICT', 'A request with this Idempotency-Key is still in progress; retry shortly');
      await auditRefusal(db, actor, refusal, e);
      throw e;
    }
  }
}
