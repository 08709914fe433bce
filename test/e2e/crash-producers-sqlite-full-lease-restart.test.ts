/** Crash safety on SQLite with --sqlite-sync full, the lease restart case: see crash-producers.ts. */
import { crashSuite } from './crash-producers.js';

crashSuite({ backend: 'sqlite', label: 'sqlite (--sqlite-sync full)', flags: ['--sqlite-sync', 'full'] }, 'lease restart');
