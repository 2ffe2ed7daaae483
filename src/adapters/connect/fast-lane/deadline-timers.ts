const rethrowApart = (error: unknown) =>
  process.nextTick(() => {
    throw error;
  });

/** A pending deadline: pass it to `DeadlineTimers.cancel` once its call is over. */
export interface Deadline {
  readonly at: number;
  readonly expire: () => void;
  prev: Deadline | undefined;
  next: Deadline | undefined;
  queue: Queue | undefined;
}

interface Queue {
  readonly ms: number;
  head: Deadline | undefined;
  tail: Deadline | undefined;
  timer: NodeJS.Timeout | undefined;
}

/**
 * The deadlines of calls in flight, on one timer per distinct duration
 * rather than one `setTimeout` per call: under load nearly every call
 * carries the same default deadline, and a Node timer per call is an object
 * with an async id, a list insert and an unenroll for a deadline that almost
 * never fires.
 */
export interface DeadlineTimers {
  /** Calls `expire` once `ms` (> 0) have passed, unless cancelled first. */
  start(ms: number, expire: () => void): Deadline;
  /** Stops `deadline`; a deadline that fired or was cancelled already is left alone. */
  cancel(deadline: Deadline): void;
}

/**
 * Creates the deadline timers of one server. Deadlines of the same duration
 * fire in the order they started, so each duration keeps a linked list
 * ordered by expiry and one timer armed for its head; cancelling unlinks in
 * O(1). The timers do not keep the process alive (the calls' connections do).
 * An `expire` that throws does not stop the others: its error goes to
 * `onError`, by default thrown on its own as a timer's would be.
 */
export function createDeadlineTimers(onError: (error: unknown) => void = rethrowApart): DeadlineTimers {
  const now = () => performance.now();
  const queues = new Map<number, Queue>();

  const unlink = (d: Deadline, q: Queue) => {
    if (d.prev) d.prev.next = d.next;
    else q.head = d.next;
    if (d.next) d.next.prev = d.prev;
    else q.tail = d.prev;
    d.prev = d.next = d.queue = undefined;
  };

  const arm = (q: Queue, delay: number) => {
    q.timer = setTimeout(fire, Math.max(1, Math.ceil(delay)), q);
    q.timer.unref();
  };

  function fire(q: Queue): void {
    q.timer = undefined;
    const t = now();
    for (let d = q.head; d !== undefined && d.at <= t; d = q.head) {
      unlink(d, q);
      try {
        d.expire();
      } catch (e) {
        onError(e);
      }
    }
    // An expiry that started a deadline of this duration armed a timer for it; the head may be due sooner.
    if (q.timer !== undefined) clearTimeout(q.timer);
    q.timer = undefined;
    if (q.head) arm(q, q.head.at - now());
    else queues.delete(q.ms);
  }

  return {
    start(ms, expire) {
      let q = queues.get(ms);
      if (q === undefined) queues.set(ms, (q = { ms, head: undefined, tail: undefined, timer: undefined }));
      const d: Deadline = { at: now() + ms, expire, prev: q.tail, next: undefined, queue: q };
      if (q.tail) q.tail.next = d;
      else q.head = d;
      q.tail = d;
      if (q.timer === undefined) arm(q, ms);
      return d;
    },
    cancel(d) {
      if (d.queue) unlink(d, d.queue);
    },
  };
}
