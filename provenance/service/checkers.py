"""The check processes of ``provenance serve --workers N``: one queue of checks, N processes taking from it.

Python checks one article at a time per process, so using several cores takes several
processes. Had each process served HTTP itself (uvicorn's ``--workers``), each would queue the
requests of its own connections behind its own checks; checks take from 2 ms to 200 ms, so a
request would wait behind a long check in one process while another process idled. Measured on
2 cores, a 100,000-article index and 20 clients (``benchmarks/serve.py``): p95 184 ms that way.
Here one process serves HTTP and every check goes to whichever check process is free next.

The queue lives on the serving process's event loop: a check waits there until a process is
idle, is written to the process's channel (a socket pair), and its answer is read by the loop as
it arrives. No thread stands between the loop and the processes (a ``ProcessPoolExecutor``'s
feeder and result threads wait for the loop's GIL; measured, they left the check processes idle a
fifth of the time and p95 went to 220 ms).

Each check process opens the index read-only and keeps its own snapshot (policies, chrome,
counts) and :class:`~provenance.engine.Scanner`, as a scan thread does
(:class:`~provenance.service.state.IndexState`). Every check carries the generation of the serving
process's snapshot; a check process whose snapshot is older reads it again first, so a check sent
after a write, or after the serving process noticed another writer, sees what it sees.

The processes are started with ``spawn`` (nothing of the serving process's threads or open
connections is inherited) and are all ready before the service answers. They ignore SIGINT (a
Ctrl-C reaches the whole process group; the serving process stops them once its requests are
answered) and exit when their channel closes, so none outlives a serving process killed outright.
One that dies (killed, out of memory) is replaced, and the check it had is tried once more in
another; a check lost so twice is a 503. Messages on the channels are pickled: they pass between
this service's own processes only.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import multiprocessing
import pickle
import signal
import socket
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO, TypeVar

from provenance.errors import IndexError_, ProvenanceError
from provenance.rules import Rules
from provenance.service.answers import Refused
from provenance.service.heap import steady_heap
from provenance.service.state import IndexState

T = TypeVar("T")
READY_SECONDS = 300.0  # for a check process to open the index and read its snapshot
STOP_SECONDS = 30.0  # for a check process to finish its check and exit once told to
_HEAD = 8  # bytes of a message's length, before the message


class ChecksLost(Exception):
    """A check process stopped while it had the check, twice (HTTP 503)."""


class CheckFailed(Exception):
    """A check raised in its check process; the message has that process's traceback (HTTP 500)."""


# -- in a check process --------------------------------------------------------------------------------
def _frame(message: Any) -> bytes:
    body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return len(body).to_bytes(_HEAD, "big") + body


def _read_frame(stream: BinaryIO) -> Any:
    """The next message on a blocking stream; EOFError when it closed."""
    head = stream.read(_HEAD)
    if len(head) < _HEAD:
        raise EOFError
    size = int.from_bytes(head, "big")
    body = stream.read(size)
    if len(body) < size:
        raise EOFError
    return pickle.loads(body)


def _serve(channel: socket.socket, location: str, rules: Rules) -> None:
    """A check process: open the index, say so, then answer calls until told to stop or the
    serving process's end of the channel closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    steady_heap()
    incoming = channel.makefile("rb")
    try:
        state = IndexState(location, rules, threads=1, refresh=0.0)
        state.start()
    except ProvenanceError as exc:
        channel.sendall(_frame(("unready", str(exc))))
        return
    except Exception as exc:  # anything else that stops it opening the index: said, not lost
        channel.sendall(_frame(("unready", f"{type(exc).__name__}: {exc}")))
        return
    try:
        channel.sendall(_frame(("ready", None)))
        while True:
            call = _read_frame(incoming)
            if call is None:
                return
            channel.sendall(_frame(_answer(state, *call)))
    except (EOFError, OSError):  # the serving process is gone
        return
    finally:
        state.close()


def _answer(state: IndexState, generation: int, work: Callable[..., Any], args: tuple[Any, ...]) -> tuple[Any, ...]:
    try:
        state.catch_up(generation)
        return ("ok", state.reading_with(work, *args))
    except Refused as exc:
        return ("refused", exc.status, exc.detail)
    except Exception as exc:
        return ("failed", f"{type(exc).__name__}: {exc}", traceback.format_exc())


# -- in the serving process -------------------------------------------------------------------------
@dataclass(eq=False)
class _Call:
    work: Callable[..., Any]
    args: tuple[Any, ...]
    future: asyncio.Future[Any]
    tries: int = 0


@dataclass(eq=False)
class _Process:
    process: Any  # multiprocessing's SpawnProcess
    channel: socket.socket
    writer: asyncio.StreamWriter | None = None
    listener: asyncio.Task[None] | None = None
    call: _Call | None = None
    gone: bool = False


class CheckProcesses:
    """``processes`` check processes reading the index of ``state`` (the serving process's index
    state, whose snapshot generations number the checks) with its rules."""

    def __init__(self, state: IndexState, processes: int) -> None:
        self.state = state
        self.processes = processes
        self._context = multiprocessing.get_context("spawn")
        self._all: list[_Process] = []
        self._idle: list[_Process] = []
        self._waiting: collections.deque[_Call] = collections.deque()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._starting = 0  # replacements on their way
        self._closing = False

    # -- life ------------------------------------------------------------------------------------
    async def start(self) -> None:
        """Start every process and wait until each has the index open; raises
        :class:`~provenance.errors.IndexError_` saying why one could not."""
        self._loop = asyncio.get_running_loop()
        started = await asyncio.gather(*(asyncio.to_thread(self._spawn) for _ in range(self.processes)),
                                       return_exceptions=True)
        failures = [result for result in started if isinstance(result, BaseException)]
        for result in started:
            if isinstance(result, _Process):
                await self._adopt(result)
        if failures:
            await self.close()
            raise failures[0]

    def _spawn(self) -> _Process:
        """A new check process, once it has the index open (blocking: run on a thread)."""
        mine, theirs = socket.socketpair()
        process = self._context.Process(target=_serve, args=(theirs, self.state.location, self.state.rules),
                                        name="provenance-check", daemon=True)
        process.start()
        theirs.close()  # only the child holds its end: when either side goes, the other reads EOF
        mine.settimeout(READY_SECONDS)
        try:
            with mine.makefile("rb") as stream:
                said, detail = _read_frame(stream)
        except TimeoutError:
            said, detail = "unready", f"it did not open the index within {READY_SECONDS:g} s"
        except (EOFError, OSError):
            process.join(5)
            said, detail = "unready", f"it stopped (exit code {process.exitcode})"
        if said != "ready":
            if process.is_alive():
                process.kill()
            process.join(5)
            mine.close()
            raise IndexError_(f"a check process could not open the index: {detail}")
        mine.settimeout(None)
        return _Process(process, mine)

    async def _adopt(self, worker: _Process) -> None:
        """Take a ready process into service (on the loop)."""
        reader, worker.writer = await asyncio.open_connection(sock=worker.channel)
        worker.listener = asyncio.create_task(self._listen(worker, reader))
        self._all.append(worker)
        self._idle.append(worker)
        self._dispatch()

    async def _listen(self, worker: _Process, reader: asyncio.StreamReader) -> None:
        """Read ``worker``'s answers until its channel closes."""
        try:
            while True:
                size = int.from_bytes(await reader.readexactly(_HEAD), "big")
                self._answered(worker, pickle.loads(await reader.readexactly(size)))
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            self._lost(worker)

    def pids(self) -> list[int]:
        """The ids of the check processes in service."""
        return sorted(worker.process.pid for worker in self._all)

    async def close(self) -> None:
        """Tell every process to stop once its check is answered, wait for them, close the
        channels. Called once the service has stopped taking requests."""
        self._closing = True
        workers, self._all, self._idle = self._all, [], []
        for worker in workers:
            if worker.writer is not None:
                with contextlib.suppress(OSError, RuntimeError):
                    worker.writer.write(_frame(None))
        await asyncio.to_thread(self._join, workers)
        for worker in workers:
            if worker.listener is not None:
                worker.listener.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await worker.listener
            if worker.writer is not None:
                worker.writer.close()
            worker.channel.close()

    @staticmethod
    def _join(workers: list[_Process]) -> None:
        for worker in workers:
            worker.process.join(STOP_SECONDS)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(5)

    # -- checks ----------------------------------------------------------------------------------
    async def check(self, work: Callable[..., T], *args: Any) -> T:
        """``work(scanner, snapshot, *args)`` in the next idle check process; ``work`` is a
        module-level function, ``args`` plain data."""
        if self._closing or self._loop is None:
            raise IndexError_("the check processes are not running")
        if not self._all and not self._starting:  # every one was lost and could not be replaced: try again
            self._starting += 1
            self._loop.create_task(self._replace(None))
        call = _Call(work, args, self._loop.create_future())
        self._waiting.append(call)
        self._dispatch()
        try:
            return await call.future  # type: ignore[no-any-return]
        except asyncio.CancelledError:
            with contextlib.suppress(ValueError):  # not sent yet: never sent; else answered, unused
                self._waiting.remove(call)
            raise

    def _dispatch(self) -> None:
        while self._waiting and self._idle:
            call = self._waiting.popleft()
            if call.future.done():
                continue
            worker = self._idle.pop()
            worker.call = call
            call.tries += 1
            assert worker.writer is not None
            worker.writer.write(_frame((self.state.snapshot.generation, call.work, call.args)))

    def _answered(self, worker: _Process, answer: tuple[Any, ...]) -> None:
        call, worker.call = worker.call, None
        self._idle.append(worker)
        if call is not None and not call.future.done():
            kind = answer[0]
            if kind == "ok":
                call.future.set_result(answer[1])
            elif kind == "refused":
                call.future.set_exception(Refused(answer[1], answer[2]))
            else:
                call.future.set_exception(CheckFailed(f"{answer[1]} (in a check process)\n{answer[2]}"))
        self._dispatch()

    def _lost(self, worker: _Process) -> None:
        """``worker`` is gone: its check goes back to the front of the queue (once), a new process
        is started in its place."""
        if worker.gone:
            return
        worker.gone = True
        assert self._loop is not None
        if worker.writer is not None:
            worker.writer.close()
        worker.channel.close()
        if worker in self._idle:
            self._idle.remove(worker)
        if worker in self._all:
            self._all.remove(worker)
        call, worker.call = worker.call, None
        if call is not None and not call.future.done():
            if call.tries >= 2:
                call.future.set_exception(ChecksLost(
                    "a check process stopped while it had this check, twice (it may have run out of memory); "
                    "new ones have been started: send it again"))
            else:
                self._waiting.appendleft(call)
        if not self._closing:
            self._starting += 1
            self._loop.create_task(self._replace(worker))
        self._dispatch()

    async def _replace(self, lost: _Process | None) -> None:
        if lost is not None:
            with contextlib.suppress(Exception):
                await asyncio.to_thread(lost.process.join, 5)
        try:
            worker = await asyncio.to_thread(self._spawn)
        except IndexError_ as exc:
            self._starting -= 1
            self._fail_if_none_left(str(exc))
            return
        self._starting -= 1
        if self._closing:
            worker.channel.close()  # it reads the end of its channel and exits
            await asyncio.to_thread(worker.process.join, STOP_SECONDS)
            return
        await self._adopt(worker)

    def _fail_if_none_left(self, why: str) -> None:
        """With no process left and none coming, the waiting checks are answered 503 now."""
        if self._all or self._starting:
            return
        while self._waiting:
            call = self._waiting.popleft()
            if not call.future.done():
                call.future.set_exception(IndexError_(f"no check process is running: {why}"))
