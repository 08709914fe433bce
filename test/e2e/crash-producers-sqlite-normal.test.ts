/** Crash safety on SQLite with --sqlite-sync normal: group commit answers nothing before its
 *  commit. See crash-producers.ts. */
import { crashSuite } from './crash-producers.js';

crashSuite({ backend: 'sqlite', label: 'sqlite (--sqlite-sync normal)', flags: ['--sqlite-sync', 'normal'] });
