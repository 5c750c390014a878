"""Where chunks run: in this process (default) or on a Dask cluster.

Two kinds of executor, one home for both:

* a *sweep executor* (:func:`in_process`, :func:`dask_executor`) runs a sweep's chunks (fixed
  size, fixed seeds) and folds their results in chunk order
  (:func:`redline.uncertainty.sweep.merge_parts`);
* a *chunk map* (:func:`map_in_process`, or the map :func:`chunk_map` yields on a Dask
  cluster) runs ``function(shared, item)`` for each item of a pass and hands the results back
  lazily in item order. ``update`` and ``advise`` run every chunked pass through one: the
  posterior's likelihood over chunks of particles (the first pass and every move step,
  :mod:`redline.uncertainty.posterior`), the pass of the kernel over every package
  (:func:`redline.uncertainty.update.acceptability`) and ``advise``'s passes over chunks of
  draws (:func:`redline.uncertainty.advise.advise`). The caller folds the results in item
  order, with the same code whatever the map.

Either way the chunks are fixed by the data (not by the executor) and are reduced in a fixed
order, so the numbers, and the JSON, do not depend on the executor or the number of workers;
and memory does not grow with the number of chunks.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from redline.errors import RedlineError
from redline.uncertainty.sweep import SweepPlan, in_process, merge_parts, run_chunk

__all__ = ["ChunkMap", "chunk_map", "dask_client", "dask_executor", "in_process",
           "map_in_process"]

ChunkMap = Callable[[Callable[[Any, Any], Any], Any, Sequence[Any]], Iterator[Any]]
"""``map(function, shared, items)``: ``function(shared, item)`` per item, in item order."""


def map_in_process(function: Callable[[Any, Any], Any], shared: Any, items: Sequence[Any]
                   ) -> Iterator[Any]:
    """The in-process chunk map: ``function(shared, item)`` for each item, one after another,
    lazily (one result alive at a time when the caller folds as it goes).

    Parameters
    ----------
    function
        A module-level function (a Dask map pickles it by reference).
    shared
        What every item needs (a Dask map sends it to each worker once).
    items
        The chunks, in the order their results are folded.

    Returns
    -------
    Iterator
        The results, in item order.
    """
    return (function(shared, item) for item in items)


@contextmanager
def chunk_map(*, workers: int | None = None, scheduler: str | None = None,
              threads_per_worker: int = 1) -> Iterator[ChunkMap]:
    """The chunk map of one command: in this process (neither ``workers`` nor ``scheduler``),
    or on one Dask client (:func:`dask_client`) kept for every pass of the command, closed on
    exit.

    On Dask, ``shared`` is scattered to every worker once per object (the scenario and the
    update's evidence, once for all the move steps), each item is one task, and the results are
    taken in item order, each released once taken. The functions and the folds are the ones
    run in process, so the numbers are the same bit for bit.

    Parameters
    ----------
    workers, scheduler, threads_per_worker
        As :func:`dask_client` takes them.

    Yields
    ------
    ChunkMap

    Raises
    ------
    RedlineError
        Dask is not installed, or the scheduler cannot be reached.
    """
    if workers is None and scheduler is None:
        yield map_in_process
        return
    futures: list = []
    with dask_client(workers=workers, scheduler=scheduler,
                     threads_per_worker=threads_per_worker, cancel=futures) as client:
        scattered: dict[int, tuple[Any, Any]] = {}  # id -> (the object, kept alive; its future)

        def run(function: Callable[[Any, Any], Any], shared: Any, items: Sequence[Any]
                ) -> Iterator[Any]:
            key = id(shared)
            if key not in scattered:
                scattered[key] = (shared, client.scatter(shared, broadcast=True))
            remote = scattered[key][1]
            batch = [client.submit(function, remote, item, pure=False) for item in items]
            futures[:] = batch  # the ones Ctrl-C cancels

            def in_item_order() -> Iterator[Any]:
                for future in batch:
                    result = future.result()
                    future.release()
                    yield result

            return in_item_order()

        yield run


@contextmanager
def _children_ignore_ctrl_c() -> Iterator[None]:
    """Start processes that ignore SIGINT (an ignored signal stays ignored across ``exec``).

    Ctrl-C at a terminal signals the whole process group; ignored in the Dask workers, it
    reaches only this process, which then cancels the work and closes the cluster in order (no
    tracebacks from dying workers). A Ctrl-C while the cluster starts is ignored too. Only the
    main thread may change signal handlers; elsewhere this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.SIG_DFL if previous is None else previous)


def _silence_dask_logs() -> None:
    """Drop Dask's log records in this process (also run on the workers at Ctrl-C)."""
    logging.getLogger("distributed").setLevel(logging.CRITICAL + 1)


@contextmanager
def dask_client(*, workers: int | None = None, scheduler: str | None = None,
                threads_per_worker: int = 1, cancel: list | None = None) -> Iterator:
    """A Dask client, closed (with its cluster) on exit: the one place Redline starts Dask.

    Connects to an existing scheduler (``scheduler``, e.g. ``tcp://host:8786``) or starts a
    local cluster of ``workers`` processes (default 1) that ignore Ctrl-C
    (:func:`_children_ignore_ctrl_c`). On Ctrl-C, Dask's logs are silenced here and on the
    workers (dropped work makes them log errors as they close: not news to a user who pressed
    Ctrl-C), the futures listed in ``cancel`` are cancelled, and the interrupt goes on. When
    the work is done, a local cluster's workers are silenced before it closes (a heartbeat
    racing the scheduler's close logs a traceback on a busy machine).

    Parameters
    ----------
    workers
        Local worker processes (ignored with ``scheduler``).
    scheduler
        The address of a running scheduler.
    threads_per_worker
        Threads in each local worker.
    cancel
        The futures the caller submits (it appends them), cancelled on Ctrl-C.

    Yields
    ------
    dask.distributed.Client

    Raises
    ------
    RedlineError
        Dask is not installed, or the scheduler cannot be reached.
    """
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - depends on the install
        raise RedlineError("Dask is not installed", parameter="workers",
                           hint="pip install 'redline[dask]'") from None
    cluster = None
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, ValueError, TypeError) as error:  # unreachable or malformed
            raise RedlineError(f"cannot reach the Dask scheduler: {error}",
                               parameter="scheduler") from None
    else:
        with _children_ignore_ctrl_c():  # and no Ctrl-C between the cluster and its client
            cluster = LocalCluster(n_workers=workers or 1,
                                   threads_per_worker=threads_per_worker, processes=True,
                                   dashboard_address=None)
            client = Client(cluster)
    logs = logging.getLogger("distributed")
    level = logs.level
    try:
        yield client
        if cluster is not None:  # the work is done: a worker's heartbeat racing the
            client.run(_silence_dask_logs)  # scheduler's close is not news either
    except KeyboardInterrupt:
        _silence_dask_logs()
        if cluster is not None:
            client.run(_silence_dask_logs)
        client.cancel(list(cancel or ()))
        raise
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
        logs.setLevel(level)


def dask_executor(*, workers: int | None = None, scheduler: str | None = None,
                  threads_per_worker: int = 1) -> Callable:
    """An executor that runs chunks on a local Dask cluster (``workers``) or an existing one
    (``scheduler``, e.g. ``tcp://host:8786``), through :func:`dask_client`."""
    try:
        from dask.distributed import as_completed
    except ImportError:  # pragma: no cover - depends on the install
        raise RedlineError("Dask is not installed", parameter="workers",
                           hint="pip install 'redline[dask]'") from None

    def run(plan: SweepPlan, seed: int, chunks: Sequence[tuple[int, int]],
            progress: Callable[[int], None] | None = None) -> list[dict]:
        futures: list = []
        with dask_client(workers=workers, scheduler=scheduler,
                         threads_per_worker=threads_per_worker, cancel=futures) as client:
            remote_plan = client.scatter(plan, broadcast=True)
            futures.extend(client.submit(run_chunk, remote_plan, seed, chunk, size, pure=False)
                           for chunk, size in chunks)
            order = {future.key: k for k, future in enumerate(futures)}

            def in_chunk_order() -> Iterator[dict]:
                # Results are folded as soon as the ones before them are in, so the client
                # holds only chunks that finished out of order.
                waiting: dict[int, dict] = {}
                following = 0
                for future in as_completed(futures):
                    k = order[future.key]
                    waiting[k] = future.result()
                    future.release()
                    if progress is not None:
                        progress(chunks[k][1])
                    while following in waiting:
                        yield waiting.pop(following)
                        following += 1

            return [merge_parts(in_chunk_order())]

    return run
