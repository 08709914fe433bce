/** The conformance suite on the memory store (SQLite in :memory:): each open is a database of its own. */
import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { runStoreConformance } from './conformance.js';

runStoreConformance({
  name: 'memory (sqlite :memory:)',
  open: async () => openSqliteStore({ path: ':memory:' }),
  skip: [
    { reason: 'each :memory: store is a database of its own', tests: ['two store instances on one backend share messages exactly once'] },
    { reason: 'each :memory: store is a database of its own', tests: ['another store instance on the backend reads the reports of this one\'s consumers'] },
    {
      reason: 'each :memory: store is a database of its own: reopening starts empty',
      tests: [
        'a dispatched, unacknowledged message survives closing and reopening the store',
        'a message in the inbox of a broker that is gone keeps the expiry of its enqueue',
        'counters, workers and tokens survive reopening the store',
        'a dead broker\'s inbox goes back to its queue with the SQS metadata of its messages',
      ],
    },
  ],
});
