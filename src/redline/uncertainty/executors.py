"""Where sweep chunks run: in this process (default) or on a Dask cluster.

Every executor runs the same chunks (fixed size, fixed seeds) and returns their results in chunk
order, so the numbers do not depend on the executor or the number of workers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from redline.errors import RedlineError
from redline.uncertainty.sweep import SweepPlan, in_process, run_chunk

__all__ = ["dask_executor", "in_process"]


def dask_executor(*, workers: int | None = None, scheduler: str | None = None,
                  threads_per_worker: int = 1) -> Callable:
    """An executor that runs chunks on a local Dask cluster (``workers``) or an existing one
    (``scheduler``, e.g. ``tcp://host:8786``)."""
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:  # pragma: no cover - depends on the install
        raise RedlineError("Dask is not installed", field="--workers",
                           hint="pip install 'redline[dask]'") from None

    def run(plan: SweepPlan, seed: int, chunks: Sequence[tuple[int, int]],
            progress: Callable[[int], None] | None = None) -> list[dict]:
        cluster = None
        if scheduler is not None:
            try:
                client = Client(scheduler, timeout="10s")
            except OSError as error:
                raise RedlineError(f"cannot reach the Dask scheduler {scheduler}: {error}",
                                   field="--scheduler") from None
        else:
            cluster = LocalCluster(n_workers=workers or 1, threads_per_worker=threads_per_worker,
                                   processes=True, dashboard_address=None)
            client = Client(cluster)
        try:
            remote_plan = client.scatter(plan, broadcast=True)
            futures = [client.submit(run_chunk, remote_plan, seed, chunk, size, pure=False)
                       for chunk, size in chunks]
            order = {future.key: k for k, future in enumerate(futures)}
            results: list[dict | None] = [None] * len(futures)
            try:
                for future in as_completed(futures):
                    results[order[future.key]] = future.result()
                    if progress is not None:
                        progress(chunks[order[future.key]][1])
            except KeyboardInterrupt:
                client.cancel(futures)
                raise
            return results  # type: ignore[return-value]
        finally:
            client.close()
            if cluster is not None:
                cluster.close()

    return run
