/**
 * The ACL file, loaded at start and reloaded when it changes and on SIGHUP (the original's
 * reload stopped for good after its first minute, originals.md A.10.5). The directory is
 * watched, not the file: editors and config managers replace files, which ends a watch on
 * the old inode. A file that cannot be read or parsed keeps the rules in force and logs one
 * warning line saying why (line numbers, never values: a password must not reach a log).
 */
import { createHash } from 'node:crypto';
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { parseAclFile, type AclRules } from './acl-file.js';

export interface AclLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Reads and parses the file; throws AclFileError or the read error. */
export function loadAclFile(path: string): { rules: AclRules; digest: string } {
  const text = readFileSync(path, 'utf8');
  return { rules: parseAclFile(text), digest: createHash('sha256').update(text).digest('hex') };
}

/** A one-line reason for a failed load, without file contents. */
export function describeLoadError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code ? `${e.code}: cannot read the file` : e.message;
}

export class AclWatch {
  rules: AclRules;
  private digest: string;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly onHangup = () => this.reload('SIGHUP');
  readonly path: string;

  /** Loads the file now: throws when it is unusable (the broker must not start open). */
  constructor(
    path: string,
    private readonly log: AclLog,
  ) {
    this.path = resolve(path);
    ({ rules: this.rules, digest: this.digest } = loadAclFile(this.path));
  }

  /** Starts watching the file's directory and listening for SIGHUP. */
  start(): void {
    const name = basename(this.path);
    try {
      this.watcher = watch(dirname(this.path), (_event, file) => {
        if (file !== null && file !== name) return;
        // Editors write in several steps: reload once things settle.
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.reload('change'), 50);
      });
      this.watcher.on('error', (err) => this.log.warn({ acl: this.path, reason: describeLoadError(err) }, 'ACL file watch failed; SIGHUP still reloads'));
    } catch (err) {
      this.log.warn({ acl: this.path, reason: describeLoadError(err) }, 'ACL file watch failed; SIGHUP still reloads');
    }
    process.on('SIGHUP', this.onHangup);
  }

  /** Re-reads the file; unchanged content is a no-op, a broken file keeps the old rules. */
  reload(trigger: string): boolean {
    let loaded;
    try {
      loaded = loadAclFile(this.path);
    } catch (err) {
      this.log.warn({ acl: this.path, trigger, reason: describeLoadError(err) }, 'ACL file not reloaded: keeping the rules in force');
      return false;
    }
    if (loaded.digest === this.digest) return false;
    this.rules = loaded.rules;
    this.digest = loaded.digest;
    this.log.info({ acl: this.path, trigger, sections: [...loaded.rules.keys()] }, 'ACL file reloaded');
    return true;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
    this.watcher = undefined;
    process.removeListener('SIGHUP', this.onHangup);
  }
}
