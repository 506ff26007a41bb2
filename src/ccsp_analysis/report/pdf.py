"""Printing the report's pages to A4 PDF with the system's headless Chromium (``ccsp run --pdf``)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ccsp_analysis.errors import RunError

#: Flags for a headless Chromium that makes no request of its own (no sync, updates or first-run pages).
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run")
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT = 120


def find_chromium() -> Path:
    """The Chromium executable: ``$CCSP_CHROMIUM``, else the first of :data:`CANDIDATES` on the PATH.

    Raises
    ------
    RunError
        When none is found, saying how to install one.
    """
    env = os.environ.get("CCSP_CHROMIUM")
    if env:
        if not Path(env).is_file():
            raise RunError(f"CCSP_CHROMIUM is {env}, which is not a file")
        return Path(env)
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return Path(found)
    raise RunError("printing to PDF needs Chromium: install it (Debian: apt-get install chromium) "
                   "or set CCSP_CHROMIUM to its path")


def print_page(chromium: Path, page: Path, pdf: Path) -> Path:
    """Print one HTML file to ``pdf`` (A4 and margins come from the page's print stylesheet).

    A fresh profile is used and removed; the PDF is written under a temporary name and
    moved into place, so a failed print never leaves a partial file.
    """
    partial = pdf.with_name(f".{pdf.name}.partial")
    with tempfile.TemporaryDirectory(prefix="ccsp-chromium-") as profile:
        cmd = [str(chromium), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--no-pdf-header-footer",
               f"--print-to-pdf={partial}", page.resolve().as_uri()]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired as exc:
            raise RunError(f"Chromium took over {TIMEOUT} s to print {page}") from exc
    if proc.returncode != 0 or not partial.is_file() or partial.stat().st_size == 0:
        partial.unlink(missing_ok=True)
        raise RunError(f"Chromium could not print {page} (exit {proc.returncode}): {proc.stderr.strip()[-500:]}")
    os.replace(partial, pdf)
    return pdf


def print_pdfs(output_dir: Path, progress: Callable[[str], None] | None = None, jobs: int = 2) -> list[Path]:
    """Print ``index.html`` and every section page of a report to ``<output_dir>/pdf/<page>.pdf``.

    Parameters
    ----------
    output_dir
        A report folder written by :func:`ccsp_analysis.report.run_year`.
    progress
        Called with a message per page printed.
    jobs
        Pages printed at once.

    Returns
    -------
    list of Path
        The PDFs, index first, then the sections in file-name order.
    """
    output_dir = Path(output_dir)
    pages = sorted(output_dir.glob("*.html"), key=lambda p: (p.name != "index.html", p.name))
    if not pages:
        raise RunError(f"no HTML pages to print in {output_dir}")
    chromium = find_chromium()
    folder = output_dir / "pdf"
    folder.mkdir(exist_ok=True)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(print_page, chromium, p, folder / f"{p.stem}.pdf") for p in pages]
        done = []
        for future in futures:
            done.append(future.result())
            if progress:
                progress(f"printed {done[-1]}")
    return done
