"""The blocking API's engine: the async implementation run on a private event loop in a thread.

Each blocking client owns one `LoopThread` (its own loop, its own connections), closed with it.
User callbacks never run on that loop: a `CallbackRelay` hands them to a thread of their own, in
order, so a callback may call the blocking API itself without waiting on the loop it runs on.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from typing import Any, Final, Generic, TypeVar

T = TypeVar("T")

_END: Final = object()


class LoopThread:
    """An event loop running in a daemon thread until `close()`."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._closed = False
        self._relays: list[CallbackRelay[Any]] = []
        self._thread = threading.Thread(target=self._serve, name="aetherium-loop", daemon=True)
        self._thread.start()
        self._ready.wait()

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.call_soon(self._ready.set)
        self._loop.run_forever()

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        """Runs `work` on the loop and returns its result (or raises its error) in this thread."""
        if threading.current_thread() is self._thread:
            work.close()
            raise RuntimeError("a blocking Sandbox method was called on the sandbox's own event loop")
        if self._closed:
            work.close()
            raise RuntimeError("this sandbox client is closed")
        future = asyncio.run_coroutine_threadsafe(work, self._loop)
        try:
            return future.result()
        except BaseException:
            # Interrupted here (Ctrl-C): the work must not run on unseen.
            future.cancel()
            raise

    def iterate(self, source: AsyncIterator[T]) -> Iterator[T]:
        """`source` as a blocking iterator; leaving the loop early closes it on the loop."""
        try:
            while True:
                try:
                    yield self.run(_next(source))
                except StopAsyncIteration:
                    return
        finally:
            if not self._closed:
                closer = getattr(source, "aclose", None)
                if closer is not None:
                    self.run(closer())

    def relay(self, callback: Callable[[T], Any] | None) -> CallbackRelay[T] | None:
        """A relay for a user's callback (None for none), ended with this client."""
        if callback is None:
            return None
        made = CallbackRelay(callback)
        self._relays.append(made)
        return made

    def close(self) -> None:
        """Cancels what still runs on the loop, stops it and joins its thread; ends the relays."""
        if self._closed:
            return
        self.run(_cancel_the_rest())
        for made in self._relays:
            made.stop()
        self._closed = True
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()


async def _next(source: AsyncIterator[T]) -> T:
    return await source.__anext__()


async def _cancel_the_rest() -> None:
    current = asyncio.current_task()
    rest = [task for task in asyncio.all_tasks() if task is not current]
    for task in rest:
        task.cancel()
    await asyncio.gather(*rest, return_exceptions=True)
    await asyncio.get_running_loop().shutdown_asyncgens()


class CallbackRelay(Generic[T]):
    """Calls `callback` with each value given to it, in order, on a thread of its own.

    Called on the loop (it only queues); `finish()` waits for every call and raises the first
    error a call raised (later values are then dropped).
    """

    def __init__(self, callback: Callable[[T], Any]) -> None:
        self._callback = callback
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._serve, name="aetherium-callbacks", daemon=True)
        self._thread.start()

    def __call__(self, value: T) -> None:
        self._queue.put(value)

    def _serve(self) -> None:
        while True:
            value = self._queue.get()
            if value is _END:
                return
            if self._error is None:
                try:
                    self._callback(value)
                except BaseException as error:  # noqa: BLE001 - raised again by finish()
                    self._error = error

    def stop(self) -> None:
        """No more values: the thread ends once it has called back with those queued."""
        self._queue.put(_END)

    def finish(self) -> None:
        if self._thread.is_alive():
            self._queue.put(_END)
            self._thread.join()
        if self._error is not None:
            error, self._error = self._error, None
            raise error
