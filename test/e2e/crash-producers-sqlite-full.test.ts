/** Crash safety on SQLite with --sqlite-sync full: group commit answers nothing before its
 *  commit. See crash-producers.ts. */
import { crashSuite } from './crash-producers.js';

crashSuite({ backend: 'sqlite', label: 'sqlite (--sqlite-sync full)', flags: ['--sqlite-sync', 'full'] });
