/**
 * Group commit: the operations that reach the SQLite store in one event-loop turn run, in
 * arrival order, in one transaction that commits at the end of the turn (setImmediate), and
 * each promise settles only after that commit: nothing is acknowledged that a crash could
 * still take back. One commit per turn instead of one per operation means one WAL append (and,
 * with synchronous=FULL, one fsync) for the whole group.
 *
 * One operation's error fails only its own request: a multi-statement operation is a
 * db.transaction function, which better-sqlite3 runs as a savepoint inside an open transaction
 * and rolls back to on an error; a single statement is atomic on its own. An error that ends
 * the transaction itself (SQLite rolls back on disk full or I/O errors), or a failed COMMIT,
 * fails every operation of the group.
 */
import type Database from 'better-sqlite3';

type Op = () => unknown;

export class GroupCommit {
  readonly #db: Database.Database;
  readonly #begin: Database.Statement;
  readonly #commit: Database.Statement;
  readonly #rollback: Database.Statement;
  readonly #mapError: (err: unknown) => unknown;
  #ops: Op[] = [];
  #resolves: ((value: unknown) => void)[] = [];
  #rejects: ((err: unknown) => void)[] = [];
  #scheduled: NodeJS.Immediate | undefined;

  constructor(db: Database.Database, mapError: (err: unknown) => unknown) {
    this.#db = db;
    this.#begin = db.prepare('BEGIN');
    this.#commit = db.prepare('COMMIT');
    this.#rollback = db.prepare('ROLLBACK');
    this.#mapError = mapError;
  }

  /** Runs `op` (synchronous, touching only this database) in this turn's group. */
  run<T>(op: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#ops.push(op);
      this.#resolves.push(resolve as (value: unknown) => void);
      this.#rejects.push(reject);
      this.#scheduled ??= setImmediate(this.flush);
    });
  }

  /** Runs and commits the waiting group now (the store calls it before closing the file). */
  readonly flush = (): void => {
    if (this.#scheduled !== undefined) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    const ops = this.#ops;
    const resolves = this.#resolves;
    const rejects = this.#rejects;
    if (ops.length === 0) return;
    this.#ops = [];
    this.#resolves = [];
    this.#rejects = [];
    const results = new Array<unknown>(ops.length);
    const failed = new Array<boolean>(ops.length).fill(false);
    let groupError: unknown;
    let ran = 0;
    try {
      this.#begin.run();
      for (; ran < ops.length; ran++) {
        try {
          results[ran] = ops[ran]!();
        } catch (err) {
          failed[ran] = true;
          results[ran] = this.#mapError(err);
          if (!this.#db.inTransaction) throw err;
        }
      }
      this.#commit.run();
    } catch (err) {
      groupError = this.#mapError(err);
      if (this.#db.inTransaction) {
        try {
          this.#rollback.run();
        } catch {
          // The commit's own error is the one to report.
        }
      }
    }
    for (let i = 0; i < ops.length; i++) {
      if (failed[i]) rejects[i]!(results[i]);
      else if (groupError !== undefined) rejects[i]!(groupError);
      else resolves[i]!(results[i]);
    }
  };
}
