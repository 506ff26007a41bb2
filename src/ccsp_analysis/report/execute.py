"""Executing section notebooks in a pool of pre-started kernels that import the plotting stack once.

Kernels start (and import the heavy stack) while the parent process builds the dataset and
computes the sections; each kernel then runs several notebooks one after another, its user
namespace and execution count reset between notebooks so each runs as in a new kernel.
Notebooks are parameterised the papermill way (an ``injected-parameters`` cell after the
``parameters`` cell) and executed with nbclient.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import logging
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

log = logging.getLogger(__name__)

KERNEL = "python3"
#: Imported by every kernel as soon as it starts, while the parent computes.
WARMUP = (
    "import ccsp_analysis.sections.store, ccsp_analysis.presentation.charts, ccsp_analysis.presentation.maps, "
    "ccsp_analysis.presentation.tables\n"
    "import matplotlib.pyplot\n"
)
#: Run silently before each notebook: a fresh namespace, execution counts from 1, no open figures.
RESET = "get_ipython().reset(new_session=True)\nimport matplotlib.pyplot as _plt\n_plt.close('all')\ndel _plt\n"
CELL_TIMEOUT = 600


@dataclass
class Execution:
    """How one notebook went: seconds, the error (None when it ran) and the failing source cell (1-based)."""

    seconds: float
    error: str | None = None
    cell: int | None = None


def parameterise(source: Path, parameters: dict) -> nbformat.NotebookNode:
    """The notebook at ``source`` with papermill's ``injected-parameters`` cell after its ``parameters`` cell."""
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    nb = load_notebook_node(str(source))
    return parameterize_notebook(nb, parameters, report_mode=False, kernel_name=KERNEL, language="python")


def _source_cell(nb: nbformat.NotebookNode) -> int | None:
    """1-based number, in the source notebook, of the first cell with an error output."""
    injected = 0
    for i, cell in enumerate(nb.cells):
        if "injected-parameters" in cell.metadata.get("tags", []):
            injected += 1
            continue
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return i + 1 - injected
    return None


def _manager_class():
    """An async kernel manager that encrypts its local ZMQ traffic where jupyter_client supports it."""
    from jupyter_client.manager import AsyncKernelManager

    class EncryptedKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            if "transport_encryption" in self.trait_names():
                self.transport_encryption = "auto"

    return EncryptedKernelManager


class KernelPool:
    """``size`` kernels started now in ``cwd``, each importing :data:`WARMUP`; notebooks are queued with :meth:`submit`.

    The pool runs its own asyncio loop in a background thread, so the caller can keep computing
    while kernels start and notebooks execute. Close it with :meth:`close` (also on errors).
    """

    def __init__(self, size: int, cwd: Path, kernel_name: str = KERNEL) -> None:
        self.size, self.cwd, self.kernel_name = max(1, size), Path(cwd), kernel_name
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="ccsp-kernels", daemon=True)
        self._thread.start()
        self._queue: asyncio.Queue = self._call(self._make_queue()).result()
        self._managers: list = []
        self._workers = [asyncio.run_coroutine_threadsafe(self._worker(i), self._loop) for i in range(self.size)]
        self._closed = False
        self._cancelled = False

    def _call(self, coro) -> concurrent.futures.Future:
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    async def _make_queue(self) -> asyncio.Queue:
        return asyncio.Queue()

    async def _start(self):
        km = _manager_class()(kernel_name=self.kernel_name)
        self._managers.append(km)  # before it starts: a cancelled start must still be killed
        # the kernel's own stdout/stderr (start-up and shutdown chatter) stay out of the user's terminal;
        # everything a notebook prints reaches its outputs through the kernel's messages
        await km.start_kernel(cwd=str(self.cwd), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        kc = km.client()
        kc.start_channels()
        await kc.wait_for_ready(timeout=120)
        reply = await kc.execute_interactive(WARMUP, silent=True, store_history=False, timeout=120,
                                             output_hook=lambda msg: None)
        if reply["content"].get("status") != "ok":
            log.warning("kernel warm-up failed: %s", reply["content"].get("evalue"))
        return km, kc

    async def _stop(self, km, kc) -> None:
        try:
            kc.stop_channels()
            if await km.is_alive():
                await km.shutdown_kernel(now=True)
        except Exception:  # noqa: BLE001 -- best effort at shutdown
            log.debug("kernel shutdown", exc_info=True)
        finally:
            if km in self._managers:
                self._managers.remove(km)

    async def _worker(self, i: int) -> None:
        km = kc = None
        try:
            km, kc = await self._start()
        except Exception as exc:  # noqa: BLE001 -- every notebook this worker takes reports it
            start_error = f"the kernel did not start: {type(exc).__name__}: {exc}"
        else:
            start_error = None
        while True:
            job = await self._queue.get()
            if job is None:
                break
            source, output, parameters, future = job
            if future.cancelled():
                continue
            if start_error:
                future.set_result(Execution(0.0, start_error))
                continue
            try:
                result = await self._run(km, kc, source, output, parameters)
            except Exception as exc:  # noqa: BLE001 -- the section fails, the pool goes on
                result = Execution(0.0, f"{type(exc).__name__}: {exc}")
            if not future.cancelled():
                future.set_result(result)
            if self._cancelled:
                break
            if not await km.is_alive():  # the notebook killed its kernel: start another for the next one
                await self._stop(km, kc)
                km, kc = await self._start()
        if km is not None:
            await self._stop(km, kc)

    async def _run(self, km, kc, source: Path, output: Path, parameters: dict) -> Execution:
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

        start = time.perf_counter()
        try:
            nb = parameterise(source, parameters)
        except Exception as exc:  # noqa: BLE001 -- an unreadable notebook fails its section only
            return Execution(time.perf_counter() - start, f"{type(exc).__name__}: {exc}")
        await kc.execute_interactive(RESET, silent=True, store_history=False, timeout=60, output_hook=lambda msg: None)
        client = NotebookClient(nb, km=km, kernel_name=self.kernel_name, timeout=CELL_TIMEOUT,
                                resources={"metadata": {"path": str(self.cwd)}})
        client.kc = kc
        error = None
        try:
            await client.async_execute()
        except CellExecutionError as exc:
            error = f"{exc.ename}: {exc.evalue}"
        except (CellTimeoutError, DeadKernelError) as exc:
            error = f"{type(exc).__name__}: {exc}"
        except Exception as exc:  # noqa: BLE001 -- reported as the section's failure
            error = f"{type(exc).__name__}: {exc}"
        finally:
            atexit.unregister(client._cleanup_kernel)
        output.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, output)
        return Execution(time.perf_counter() - start, error, _source_cell(nb) if error else None)

    def submit(self, source: Path, output: Path, parameters: dict) -> concurrent.futures.Future:
        """Queue one notebook; the future gives its :class:`Execution`."""
        future: concurrent.futures.Future = concurrent.futures.Future()
        self._loop.call_soon_threadsafe(self._queue.put_nowait, (Path(source), Path(output), parameters, future))
        return future

    def close(self, cancel: bool = False) -> None:
        """Stop every kernel (after the queued notebooks, or at once with ``cancel``) and the loop."""
        if self._closed:
            return
        self._closed = True
        if cancel:
            self._cancelled = True
            for w in self._workers:  # interrupts a kernel still starting or a notebook still running
                w.cancel()
            try:
                self._call(self._kill_all()).result(timeout=30)
            except Exception:  # noqa: BLE001 -- shutting down
                log.debug("kernel kill", exc_info=True)
        else:
            for _ in self._workers:
                self._loop.call_soon_threadsafe(self._queue.put_nowait, None)
            for w in self._workers:
                try:
                    w.result()
                except Exception:  # noqa: BLE001 -- shutting down
                    log.debug("kernel worker", exc_info=True)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    async def _kill_all(self) -> None:
        while not self._queue.empty():
            job = self._queue.get_nowait()
            if job is not None:
                job[3].cancel()
        for km in list(self._managers):
            try:
                await km.shutdown_kernel(now=True)
            except Exception:  # noqa: BLE001 -- not (yet) a running kernel: kill its process if it has one
                log.debug("kernel kill", exc_info=True)
                process = getattr(getattr(km, "provisioner", None), "process", None)
                if process is not None and process.poll() is None:
                    process.kill()
            self._managers.remove(km)

    def __enter__(self) -> KernelPool:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close(cancel=exc_type is not None)
