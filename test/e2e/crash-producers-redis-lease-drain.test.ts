/** Crash safety on Redis (appendfsync always), the lease drain case: see crash-producers.ts. */
import { crashSuite } from './crash-producers.js';

crashSuite({ backend: 'redis', label: 'redis', flags: [] }, 'lease drain');
