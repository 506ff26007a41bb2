"""Command line: ``ccsp run 2023-24``, ``ccsp data demo|fetch|check``, ``ccsp area add``, ``ccsp lab`` — a thin wrapper over the Python API."""

from __future__ import annotations

import argparse
import errno
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

from ccsp_analysis.errors import CcspError

log = logging.getLogger("ccsp_analysis")


def _configure_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    handler.setLevel(logging.DEBUG if verbose else logging.WARNING)  # progress is printed; run.log gets INFO
    log.addHandler(handler)
    log.setLevel(logging.DEBUG if verbose else logging.INFO)


def _say(msg: str) -> None:
    print(msg, flush=True)


def cmd_batch(args: argparse.Namespace) -> int:
    """``ccsp run 2023-24 --areas west-midlands``: every partnership's report and the force index."""
    from ccsp_analysis.report.batch import DASK_MISSING, dask_available, resolve_areas

    if args.defaults is not None:
        raise CcspError("--defaults is for one parameter file; a batch (--areas) reads the project's params/ folder")
    if args.scheduler and args.executor != "dask":
        raise CcspError("--scheduler is for --executor dask (e.g. --executor dask --scheduler tcp://host:8786)")
    if args.executor == "dask" and not dask_available():
        raise CcspError(DASK_MISSING)
    areas = resolve_areas(args.params, args.areas)  # validated before anything heavy is imported
    from ccsp_analysis.report.batch import run_batch

    result = run_batch(args.params, areas, outputs=args.outputs, executor=args.executor, jobs=args.jobs,
                       scheduler=args.scheduler, audience=args.audience, force=args.force,
                       allow_partial=args.allow_partial, share_street=not args.no_shared_read, progress=_say)
    if args.verbose:
        print(f"  shared street read: {result.street_seconds:.2f} s; batch: {result.seconds:.2f} s", file=sys.stderr)
    if args.pdf:
        from ccsp_analysis.report.pdf import print_pdfs

        for area in result.areas:
            if area["report"]:
                print_pdfs(Path(area["report"]).parent, progress=_say)
    for failure in result.failures:
        print(f"error: {failure}", file=sys.stderr)
    for index in result.indexes:
        print(index)
    return 0 if result.ok else 1


def cmd_run(args: argparse.Namespace) -> int:
    if args.areas:
        return cmd_batch(args)
    if args.executor != "local" or args.scheduler:
        raise CcspError("--executor and --scheduler are for a batch of partnerships: add --areas (a force, "
                        "area slugs separated by commas, or all)")
    from ccsp_analysis.params import load_params

    params = load_params(args.params, defaults=args.defaults)  # validated before the notebook and plotting stack is imported
    from ccsp_analysis.report.run import run_year

    result = run_year(params, outputs=args.outputs, jobs=args.jobs, audience=args.audience, force=args.force,
                      allow_partial=args.allow_partial, progress=_say)
    if args.verbose:
        for phase, seconds in result.phases.items():
            print(f"  {phase}: {seconds:.2f} s", file=sys.stderr)
    if args.pdf:
        from ccsp_analysis.report.pdf import print_pdfs

        print_pdfs(result.output_dir, progress=_say)
    if not result.ok:
        for f in result.failures:
            print(f"error: section {f}", file=sys.stderr)
        return 1
    print(result.output_dir / "index.html")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from ccsp_analysis.demo import generate

    out = generate(args.out, geography=args.geography, seed=args.seed, progress=_say)
    print(out)
    return 0


def _fetch_name(url: str) -> str:
    """The file name a URL is saved under: the last part of its path, without query or fragment."""
    from urllib.parse import unquote, urlsplit

    name = unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1])
    if not name or name in (".", ".."):
        raise CcspError(f"--url {url!r} does not end in a file name; give the address of the file itself, "
                        "e.g. https://example.org/data/lookup.csv")
    return name


def cmd_fetch(args: argparse.Namespace) -> int:
    from ccsp_analysis.sources import fetch

    def progress(name: str, done: int, total: int | None) -> None:
        if total:
            print(f"\r{name}: {done * 100 // total}%", end="", flush=True)

    if args.what == "police":
        if not args.months:
            raise CcspError("`ccsp data fetch police` needs --months, e.g. --months 2024-03 (each archive holds "
                            "about three years up to that month)")
        try:
            fetch.check_months(args.months)
        except ValueError as exc:
            raise CcspError(f"--months: {exc}; e.g. --months 2024-03") from None
        base = args.base_url or os.environ.get("CCSP_POLICE_BASE_URL", "https://data.police.uk/data/archive")
        fetch.check_url(base)
        paths = fetch.fetch_police_archive(args.months, args.dest, base_url=base, force=args.force, progress=progress)
    else:
        if not args.url:
            raise CcspError("`ccsp data fetch url` needs --url")
        if args.months:
            raise CcspError("--months is for `ccsp data fetch police`; `ccsp data fetch url` takes --url")
        if args.sha256 is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", args.sha256):
            raise CcspError(f"--sha256 {args.sha256!r} is not a SHA-256 checksum (64 hexadecimal digits)")
        fetch.check_url(args.url)
        name = _fetch_name(args.url)
        paths = [fetch.fetch_file(args.url, args.dest / name, args.dest / "manifest.json", expected_sha256=args.sha256,
                                  force=args.force, progress=progress)]
    print()
    for p in paths:
        print(p)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from ccsp_analysis.params import load_params

    params = load_params(args.params, defaults=args.defaults)  # validated before pandas and the readers are imported
    from ccsp_analysis import dataset
    from ccsp_analysis.sections.data_audit import data_audit

    data = dataset.load(params, rebuild=args.rebuild)
    audit = data_audit(data, params)
    if args.json:
        import json

        from ccsp_analysis.sections.data_audit import audit_record

        record = audit_record(data, params, audit)
        print(json.dumps(record, indent=2))
        return 0 if record["passed"] else 1
    from ccsp_analysis.presentation.check_text import check_report
    from ccsp_analysis.sections.data_audit import audit_record

    record = audit_record(data, params, audit)
    colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    print(check_report(record, colour=colour, encoding=sys.stdout.encoding))
    return 0 if record["passed"] else 1


def cmd_area(args: argparse.Namespace) -> int:
    from ccsp_analysis.area_setup import add_area

    path, area = add_area(args.codes, name=args.name, force=args.force, slug=args.slug, lookup=args.lookup,
                          city_centre_ward=args.city_centre_ward, params_dir=args.params_dir, overwrite=args.overwrite)
    wards = f"{area.wards} wards" if area.wards is not None else "no wards (the lookup has none)"
    _say(f"{area.area.name}: {len(area.districts)} district(s), {wards}, {area.small_areas} small areas")
    print(path)
    return 0


def cmd_lab(args: argparse.Namespace) -> int:
    """JupyterLab on the notebooks; SIGTERM or SIGINT to ``ccsp lab`` stops JupyterLab too (freeing its port)."""
    import signal

    cmd = [sys.executable, "-m", "jupyter", "lab", "--notebook-dir", str(args.dir)]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    child = subprocess.Popen(cmd + args.extra)

    def forward(signum, _frame):
        if child.poll() is None:
            child.send_signal(signal.SIGTERM if signum == signal.SIGTERM else signal.SIGINT)

    previous = {s: signal.signal(s, forward) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        while True:
            try:
                return child.wait()
            except KeyboardInterrupt:  # a second Ctrl-C while JupyterLab asks for confirmation
                forward(signal.SIGINT, None)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ccsp", description="Community Safety Partnership Strategic Assessments from data.")
    p.add_argument("-v", "--verbose", action="store_true", help="show debug messages")
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="build a year's report: ccsp run 2023-24 (or a params file path)")
    r.add_argument("params", help="a year (params/<year>.yaml) or the path of a parameter file")
    r.add_argument("--defaults", type=Path, default=None, help="the defaults.yaml to merge under a parameter file (default: the one beside it, else the project's found from the file's folder or the working folder)")
    r.add_argument("--jobs", type=int, default=2, help="notebooks executed at once (default 2); with --areas, "
                   "partnerships built at once (processes of the pool, or Dask workers of a LocalCluster)")
    r.add_argument("--areas", default=None, help="build a batch: a force (every params/areas/*.yaml of that "
                   "force, e.g. west-midlands), area slugs separated by commas, or all; writes each report and "
                   "the force index outputs/<force>/<period>/index.html")
    r.add_argument("--executor", choices=("local", "dask"), default="local",
                   help="with --areas: local (a process pool, the default) or dask (dask.distributed)")
    r.add_argument("--scheduler", default=None, help="with --executor dask: an existing cluster's scheduler, "
                   "e.g. tcp://host:8786 (default: a LocalCluster of --jobs workers)")
    r.add_argument("--no-shared-read", action="store_true", help=argparse.SUPPRESS)  # measuring: each area parses
    r.add_argument("--audience", choices=("public", "reviewer"), default="public", help="reviewer: code cells behind a 'show code' toggle")
    r.add_argument("--outputs", type=Path, default=None, help="outputs folder (default: outputs/ in the project)")
    r.add_argument("--pdf", action="store_true", help="also print each page, and the whole report as pdf/assessment.pdf, "
                   "to PDF with headless Chromium")
    r.add_argument("--force", action="store_true", help="rerun every section even when nothing changed")
    r.add_argument("--allow-partial", action="store_true",
                   help="build the report even when the data miss months of the compared periods: every page says "
                        "which, and no change is called a rise or fall")
    r.set_defaults(func=cmd_run)
    d = sub.add_parser("data", help="demo data, downloads and checks")
    dsub = d.add_subparsers(dest="data_command", required=True)
    dm = dsub.add_parser("demo", help="write the synthetic demo data (deterministic)")
    dm.add_argument("--out", type=Path, default=Path("data/demo"))
    dm.add_argument("--geography", type=Path, default=None,
                    help="real small areas: a folder of real ONS files (e.g. ../shared/data), or the national "
                    "lookup lookups/lsoa11_lsoa21_lad22_lookup_EW.csv.gz in it")
    dm.add_argument("--seed", type=int, default=None)
    dm.set_defaults(func=cmd_demo)
    f = dsub.add_parser("fetch", help="download data.police.uk archive months or an ONS file")
    f.add_argument("what", choices=("police", "url"))
    f.add_argument("--months", nargs="*", default=[], help="YYYY-MM archive months (police)")
    f.add_argument("--url", help="file URL (url)")
    f.add_argument("--sha256", help="expected checksum (url)")
    f.add_argument("--dest", type=Path, default=Path("data/raw"))
    f.add_argument("--base-url", default=None, help="archive base URL (or env CCSP_POLICE_BASE_URL)")
    f.add_argument("--force", action="store_true", help="download again even when cached")
    f.set_defaults(func=cmd_fetch)
    c = dsub.add_parser("check", help="validate a year's inputs and print the audit checks")
    c.add_argument("params", help="a year (params/<year>.yaml) or the path of a parameter file")
    c.add_argument("--defaults", type=Path, default=None, help="the defaults.yaml to merge under a parameter file (default: the one beside it, else the project's found from the file's folder or the working folder)")
    c.add_argument("--rebuild", action="store_true", help="build the dataset again even when cached")
    c.add_argument("--json", action="store_true", help="print the audit as JSON (rows read, kept and dropped by "
                   "reason per source, repeated IDs and identical rows, months covered and missing, every check)")
    c.set_defaults(func=cmd_check)
    a = sub.add_parser("area", help="describe a partnership area: ccsp area add E08000025 --name Birmingham ...")
    asub = a.add_subparsers(dest="area_command", required=True)
    aa = asub.add_parser("add", help="write params/areas/<slug>.yaml for one or more districts, checked against an "
                         "ONS lookup", description="Write params/areas/<slug>.yaml for a partnership of one or more "
                         "local authority districts. The codes are checked against an ONS LSOA lookup (wards and small "
                         "areas are counted from it, never listed by hand).")
    aa.add_argument("codes", nargs="+", metavar="CODE", help="local authority district code(s), e.g. E08000025")
    aa.add_argument("--name", required=True, help="the partnership's name, e.g. Birmingham")
    aa.add_argument("--force", required=True, help="data.police.uk force, e.g. west-midlands")
    aa.add_argument("--slug", default=None, help="file and output folder name (default: from the name)")
    aa.add_argument("--lookup", type=Path, default=None,
                    help="ONS lookup of LSOAs to districts (default: sources.lsoa_ward_lookup of params/defaults.yaml)")
    aa.add_argument("--city-centre-ward", default=None, metavar="CODE", help="ward code (E05...) of the city centre")
    aa.add_argument("--params-dir", type=Path, default=Path("params"), help="the parameters folder (default params)")
    aa.add_argument("--overwrite", action="store_true", help="replace an existing area file")
    aa.set_defaults(func=cmd_area)
    lab = sub.add_parser("lab", help="open JupyterLab on notebooks/ (other options go to JupyterLab)",
                         description="Open JupyterLab on the project's notebooks.",
                         epilog="Any other option is passed to JupyterLab, e.g. `ccsp lab --port 8899 --no-browser`. "
                                "Stopping ccsp lab (Ctrl-C or SIGTERM) stops JupyterLab and frees its port.")
    lab.add_argument("--dir", type=Path, default=Path("notebooks"), help="the folder JupyterLab opens (default notebooks)")
    lab.set_defaults(func=cmd_lab)  # other options (e.g. --port 8899 --no-browser) go to JupyterLab
    return p


def _skip_slow_optional_imports() -> None:
    """Keep jsonschema from loading its optional IRI checker (rfc3987-syntax builds a grammar on
    import: about 1 s, on every run, for a check nbformat never makes)."""
    sys.modules.setdefault("rfc3987_syntax", None)


#: OS errors that mean "this folder cannot take the files": full disk or quota, read-only, no permission.
_WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM})


def _write_error_text(exc: OSError, args: argparse.Namespace) -> str:
    """A one-line message for a folder that cannot be written (no traceback): what, why, and the fix.

    A report run writes to a staging folder and the dataset cache to a temporary folder, both removed
    when a write fails, so the previous report and cache stay as they were.
    """
    cache = os.environ.get("CCSP_CACHE_DIR") or "data/cache"
    what = {
        "run": f"the report (--outputs {getattr(args, 'outputs', None) or 'outputs/'}) or the dataset cache ({cache})",
        "data": {"check": f"the dataset cache ({cache})", "demo": f"the demo data (--out {getattr(args, 'out', '')})",
                 "fetch": f"the download (--dest {getattr(args, 'dest', '')})"}.get(getattr(args, "data_command", ""), "files"),
    }.get(args.command, "files")
    reason = exc.strerror or str(exc)
    name = f" ({exc.filename})" if exc.filename else ""
    if exc.errno in (errno.EACCES, errno.EPERM):  # may be an input that cannot be read, too
        return (f"{reason}{name}. Fix: check that you may read the inputs and write {what}, or choose "
                "other folders (--outputs for the report, CCSP_CACHE_DIR for the dataset cache)")
    kept = {"run": "; nothing half-written was kept (a previous report of this period is unchanged)",
            "check": "; nothing half-written was kept"}.get(getattr(args, "data_command", None) or args.command, "")
    return (f"cannot write {what}: {reason}{name}. Fix: free some space or choose a writable folder "
            f"(--outputs for the report, CCSP_CACHE_DIR for the dataset cache){kept}")


def main(argv: list[str] | None = None) -> int:
    _skip_slow_optional_imports()
    p = parser()
    args, extra = p.parse_known_args(argv)
    if extra and args.command != "lab":
        p.error(f"unrecognized arguments: {' '.join(extra)}")
    args.extra = extra
    _configure_logging(args.verbose)
    if getattr(args, "seed", 0) is None:
        from ccsp_analysis.demo import SEED

        args.seed = SEED
    try:
        return args.func(args)
    except CcspError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        if exc.errno not in _WRITE_ERRNOS:
            raise
        print(f"error: {_write_error_text(exc, args)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        # The run has cleaned up (kernels stopped, staging removed) by now. A second SIGINT can still be on its
        # way -- pyarrow, interrupted in a read, sends the signal on again to the main thread -- and arriving
        # while Python shuts down (signal handlers reset) it would kill the process silently (exit -2, not 130).
        _ignore_sigint()
        print("interrupted", file=sys.stderr)
        return 130


def _ignore_sigint() -> None:
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


if __name__ == "__main__":
    sys.exit(main())
