/** Crash safety on SQLite with --sqlite-sync normal, the stream drain case: see crash-producers.ts. */
import { crashSuite } from './crash-producers.js';

crashSuite({ backend: 'sqlite', label: 'sqlite (--sqlite-sync normal)', flags: ['--sqlite-sync', 'normal'] }, 'stream drain');
