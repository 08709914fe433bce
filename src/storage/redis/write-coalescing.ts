/**
 * One socket write per event-loop turn for all the Redis commands of that turn.
 *
 * Why: profiles of the broker under load (bench/README.md, "Where the time goes") put a third
 * to a half of its CPU in the write syscalls (writeUtf8String, writev), one per Redis command
 * and one per HTTP reply. ioredis's own auto-pipelining flushes on process.nextTick, which runs
 * after every single I/O callback, so commands issued by requests arriving in the same turn
 * still go out one write each. Corking the socket at the first command of a turn and uncorking
 * it in setImmediate (after the poll phase that ran every ready request) sends them as one
 * writev; at idle a command waits for nothing but the end of the current turn.
 */
import type { Redis } from 'ioredis';

export function coalesceWrites(redis: Redis): void {
  const send = redis.sendCommand.bind(redis);
  let corked: Redis['stream'] | undefined;
  const flush = () => {
    const s = corked;
    corked = undefined;
    s?.uncork();
  };
  redis.sendCommand = (...args: Parameters<Redis['sendCommand']>) => {
    const s = redis.stream;
    if (corked === undefined && redis.status === 'ready' && s?.writable) {
      corked = s;
      s.cork();
      setImmediate(flush);
    }
    return send(...args);
  };
}
