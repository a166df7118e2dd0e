"""Background threads that make a loader's batches ahead of the consumer.

Workers take batch numbers in order from a shared counter, make them, and
park the results; the consumer takes them back in order. At most
``ahead`` batches are made or waiting beyond the one being consumed, which
bounds the memory held. A worker's exception is handed to the consumer and
raised there, with its traceback. close() (called when the iteration ends,
is abandoned with ``break``, or fails) stops the workers after the batch
each is on, so abandoning a loop never hangs and leaves no threads behind.

Threads, not processes: NumPy gathers and PIL decoding release the GIL, and
the in-memory data sets make a batch in well under a millisecond, so the
cost of shipping batches between processes would outweigh the gain.

Leaves out: worker processes, worker_init_fn, timeouts.
"""
from __future__ import annotations

import threading
from typing import Callable, Dict, List, Tuple


class PrefetchBatches:
    """make(k) for k in range(n), computed by num_workers threads, read back in order."""

    def __init__(self, make: Callable[[int], object], n: int, num_workers: int, ahead: int):
        self._make = make
        self._n = n
        self._ahead = max(1, ahead)
        self._cond = threading.Condition()
        self._next = 0          # the next batch number a worker takes
        self._consumed = 0      # batches handed to the consumer
        self._ready: Dict[int, Tuple[bool, object]] = {}
        self._stop = False
        self._threads: List[threading.Thread] = []
        for k in range(num_workers):
            t = threading.Thread(target=self._work, name=f"convcore-loader-{k}", daemon=True)
            t.start()
            self._threads.append(t)

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._stop and self._next < self._n and \
                        self._next >= self._consumed + self._ahead:
                    self._cond.wait()
                if self._stop or self._next >= self._n:
                    return
                k = self._next
                self._next += 1
            try:
                result = (True, self._make(k))
            except BaseException as e:  # noqa: BLE001 - re-raised in the consumer
                result = (False, e)
            with self._cond:
                self._ready[k] = result
                self._cond.notify_all()
            if not result[0]:
                return

    def get(self, k: int):
        """Batch k (k must be the next batch in order); raises what make raised."""
        with self._cond:
            while k not in self._ready:
                if self._stop:
                    raise RuntimeError("the loader's workers were stopped")
                self._cond.wait()
            ok, value = self._ready.pop(k)
            self._consumed = k + 1
            self._cond.notify_all()
        if not ok:
            raise value
        return value

    def close(self) -> None:
        with self._cond:
            self._stop = True
            self._ready.clear()
            self._cond.notify_all()
        current = threading.current_thread()
        for t in self._threads:
            if t is not current:
                t.join()
        self._threads = []
