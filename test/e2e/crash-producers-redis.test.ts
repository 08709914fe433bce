/** Crash safety on Redis (appendfsync always): see crash-producers.ts. */
import { crashSuite } from './crash-producers.js';

crashSuite({ backend: 'redis', label: 'redis', flags: [] });
