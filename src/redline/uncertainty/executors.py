"""Where sweep chunks run: in this process (default) or on a Dask cluster.

Every executor runs the same chunks (fixed size, fixed seeds) and folds their results in chunk
order (:func:`redline.uncertainty.sweep.merge_parts`), so the numbers do not depend on the
executor or the number of workers, and memory does not grow with the number of chunks.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from redline.errors import RedlineError
from redline.uncertainty.sweep import SweepPlan, in_process, merge_parts, run_chunk

__all__ = ["dask_client", "dask_executor", "in_process"]


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
    Ctrl-C), the futures listed in ``cancel`` are cancelled, and the interrupt goes on.

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
