"""The single data product: canonical tables for one area, built once from the sources and cached as parquet."""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ccsp_analysis import __version__
from ccsp_analysis.demo.manifest import synthetic_sources
from ccsp_analysis.errors import DataError
from ccsp_analysis.hashing import HashCache
from ccsp_analysis.params import Params, project_root
from ccsp_analysis.periods import fy_label_of
from ccsp_analysis.schemas import CRIME_FLAGS
from ccsp_analysis.taxonomy import HO_OFFENCES

log = logging.getLogger(__name__)

#: Bump when the canonical tables change shape, so old caches are not reused.
DATASET_VERSION = 3  # 3: meta.json holds each table's SHA-256
TABLES = ("geography", "population", "population_by_age", "mid_year", "census_2011", "imd", "boundaries",
          "crimes", "street", "asb", "victims", "fly_tipping", "services", "incidents", "nrm", "survey",
          "reoffending", "funding", "most_similar_group", "audit", "coverage",
          "district_features", "district_crimes")  # the last two: the computed peer group (_peer_group_tables)


@dataclass
class Dataset:
    """Canonical tables for one area (see docs/data.md for their columns) plus where they came from."""

    tables: dict[str, pd.DataFrame]
    key: str
    inputs: dict[str, str] = field(default_factory=dict)  # source name -> sha256

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)


def cache_root(params: Params) -> Path:
    """Where built datasets are cached: ``data/cache`` in the project (next to ``params/``)."""
    env = os.environ.get("CCSP_CACHE_DIR")
    if env:
        return Path(env)
    return project_root(params) / "data" / "cache"


def input_hashes(params: Params, hashes: HashCache) -> dict[str, str]:
    """SHA-256 of every input named in the parameters (folders hashed file by file), the plan and harm weights included."""
    out = {}
    for name, path in params.sources.model_dump().items():
        if path is not None:
            out[name] = hashes.tree(Path(path))
    # not sources of the dataset, but their content decides results: a changed file recomputes the run
    for name, path in (("plan", params.plan), ("harm_weights", params.priorities.harm_weights)):
        if path is not None:
            out[name] = hashes.tree(Path(path))
    return out


def code_hash() -> str:
    """Hash of the code that shapes the dataset (this module, the readers, schemas, taxonomy)."""
    import hashlib

    pkg = Path(__file__).parent
    h = hashlib.sha256()
    for path in sorted([pkg / "dataset.py", pkg / "schemas.py", pkg / "taxonomy.py", pkg / "periods.py", *(pkg / "sources").glob("*.py")]):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def dataset_key(params: Params, inputs: dict[str, str]) -> str:
    """Cache key: the inputs' hashes, the area, and the code that builds the tables."""
    import hashlib

    spec = {"v": DATASET_VERSION, "pkg": __version__, "code": code_hash(), "area": params.area.model_dump(), "inputs": inputs}
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:20]


def identify(params: Params) -> tuple[str, dict[str, str]]:
    """The dataset's cache key and its inputs' SHA-256, without reading any table (fast: hashes are
    remembered by file size and modification time)."""
    hashes = HashCache(cache_root(params) / "input-hashes.json")
    inputs = input_hashes(params, hashes)
    hashes.save()
    return dataset_key(params, inputs), inputs


def synthetic_inputs(params: Params) -> list[str]:
    """The inputs of ``params`` that are synthetic demo data, as source names (e.g. ``partner_crimes``).

    An input is synthetic when the demo manifest (``DEMO.json``) of its folder or a parent folder
    lists it, or when it is the LSOA lookup and its codes use the prefix ``X01``, which ONS never
    issues. No table is read (a few ``stat`` calls, the manifest, the lookup's bytes: well under a
    millisecond on the demo data); :func:`ccsp_analysis.demo.manifest.synthetic_sources` gives the
    reason for each.
    """
    return list(synthetic_sources(params.sources.model_dump()))


def load(params: Params, *, rebuild: bool = False, street: Path | None = None) -> Dataset:
    """The dataset for ``params``: read from the cache when its inputs are unchanged, else built and cached.

    A cached table whose checksum no longer matches (a damaged or half-copied cache) is not
    trusted: the dataset is built again, with a warning. ``street``: a shared read of the area's
    force files (:func:`shared_street`) to build from instead of parsing them again.
    """
    key, inputs = identify(params)
    folder = cache_root(params) / key
    if not rebuild and (folder / "meta.json").exists():
        tables, problem = _read_cache(folder)
        if tables is not None:
            log.info("dataset %s read from cache", key)
            return Dataset(tables, key, inputs)
        log.warning("the cached dataset in %s cannot be used (%s); building it again", folder, problem)
    ds = build(params, key=key, inputs=inputs, street=street)
    _write_cache(ds, folder)
    return ds


#: Folder (under the cache) of the shared reads of force files made for a batch of partnerships.
STREET_DIR = "street"


def _shared_street_key(police_uk: str, force: str, codes: list[str]) -> str:
    import hashlib

    spec = {"v": DATASET_VERSION, "pkg": __version__, "code": code_hash(), "police_uk": police_uk, "force": force,
            "codes": codes}
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:20]


def shared_street(params_list: list[Params]) -> dict[str, Path]:
    """Parse each force's police.uk street files once for the partnerships of a batch.

    Partnerships whose dataset is already cached need no read and are left out. For each set of two
    or more others with the same street files and force, the files are read once for all their small
    areas together and cached as parquet (keyed by the files' SHA-256, the force, the small areas and
    the reader's code) under ``<cache>/street/``; each partnership's dataset build then takes its
    rows from that read (:func:`ccsp_analysis.sources.police_uk.street_for_area`), which gives the
    rows and drop log that reading the files for it alone gives. A set whose shared read fails (a bad
    row anywhere in it) is left out too: its partnerships read the files on their own and each
    reports its own error.

    Returns
    -------
    dict
        Area slug -> the shared read's folder, for :func:`load` (``street=``).
    """
    from ccsp_analysis.errors import CcspError
    from ccsp_analysis.sources import ons, police_uk

    groups: dict[tuple, list[tuple[Params, list[str]]]] = {}
    for params in params_list:
        try:
            key, inputs = identify(params)
            if (cache_root(params) / key / "meta.json").exists():
                continue
            lookup = ons.read_lsoa_ward_lookup(params.sources.lsoa_ward_lookup, lad_code=params.area.la_code)
        except (CcspError, OSError) as exc:
            log.info("%s reads its own street files (%s)", params.area.slug, exc)
            continue
        if lookup.empty:  # its build stops on this, naming the lookup
            continue
        group = (str(params.sources.police_uk), inputs["police_uk"], params.area.force, str(cache_root(params)))
        groups.setdefault(group, []).append((params, sorted(set(lookup["lsoa_code"]))))
    out: dict[str, Path] = {}
    for (source, digest, force, cache), members in groups.items():
        if len(members) < 2:
            continue
        codes = sorted({c for _, cs in members for c in cs})
        folder = Path(cache) / STREET_DIR / _shared_street_key(digest, force, codes)
        if not (folder / "meta.json").exists():
            try:
                table, drops = police_uk.read_street_table_with_log(source, lsoa_codes=codes, forces=[force])
            except CcspError as exc:
                log.warning("the %s street files could not be read once for %s (%s); each reads them on its own",
                            force, ", ".join(p.area.slug for p, _ in members), exc)
                continue
            folder.parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=folder.parent))
            try:
                _write_shared(table, drops, tmp)
                (tmp / "meta.json").write_text(json.dumps({"police_uk": digest, "force": force, "areas":
                                                           [p.area.slug for p, _ in members], "rows": table.num_rows}))
                os.replace(tmp, folder)
            except OSError:  # another batch wrote it meanwhile, or the cache cannot be written: read per area
                shutil.rmtree(tmp, ignore_errors=True)
                if not (folder / "meta.json").exists():
                    continue
            log.info("read the %s street files once for %d partnerships (%d rows)", force, len(members), table.num_rows)
        out.update({p.area.slug: folder for p, _ in members})
    return out


#: Rows per row group of a shared read's parquet file (sorted by small area, so an area's read skips the others').
SHARED_ROW_GROUP = 16_384
_ROW = "_row"


def _write_shared(table, drops: pd.DataFrame, folder: Path) -> None:
    """A shared read as parquet: the rows sorted by small area in small row groups (an area's read then skips
    the row groups of the others by their statistics) with their place in the read (``_row``, to restore its
    order), the drop log, and the rows per file and small area (what an area's drop log needs of the rest)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from ccsp_analysis.sources import police_uk

    table = table.append_column(_ROW, pa.array(np.arange(table.num_rows, dtype=np.int64)))
    table = table.take(pc.sort_indices(table, sort_keys=[("lsoa_code", "ascending"), (_ROW, "ascending")]))
    pq.write_table(table, folder / "street.parquet", row_group_size=SHARED_ROW_GROUP)
    drops.to_parquet(folder / "drops.parquet", index=False)
    police_uk.code_counts(table).to_parquet(folder / "codes.parquet", index=False)


def _read_shared(folder: Path, codes: list[str], source) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One area's rows and drop log from a shared read (:func:`_write_shared`): only its row groups are read,
    only its rows converted to pandas, in the order of the read."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from ccsp_analysis.sources import police_uk

    kept = pq.read_table(folder / "street.parquet", filters=[("lsoa_code", "in", list(codes))])
    kept = kept.take(pc.sort_indices(kept[_ROW])).drop_columns([_ROW])
    return police_uk.street_for_area_table(kept, pd.read_parquet(folder / "drops.parquet"),
                                           pd.read_parquet(folder / "codes.parquet"), codes, source=source)


def _street_rows(params: Params, codes: list[str], street: Path | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The area's police.uk street rows and drop log: from a shared read when one is given, else from the files."""
    from ccsp_analysis.errors import CcspError
    from ccsp_analysis.sources import police_uk

    src = params.sources
    if street is not None:
        try:
            return _read_shared(street, codes, src.police_uk)
        except CcspError:
            raise  # the area's own problem (e.g. no row in it): as its own read would say
        except Exception as exc:  # noqa: BLE001 -- an unreadable shared read: read the files instead
            log.warning("the shared read %s cannot be used (%s); reading the street files", street, exc)
    return police_uk.read_street_with_log(src.police_uk, lsoa_codes=codes, forces=[params.area.force])


def _read_cache(folder: Path) -> tuple[dict[str, pd.DataFrame] | None, str]:
    """The cached tables, or None and why when a checksum does not match or a file cannot be read."""
    from ccsp_analysis.hashing import file_sha256

    try:
        sums = json.loads((folder / "meta.json").read_text(encoding="utf-8")).get("sha256", {})
    except (OSError, ValueError) as exc:
        return None, f"meta.json unreadable: {exc}"
    tables = {}
    for name in TABLES:
        path = folder / f"{name}.parquet"
        try:
            if sums.get(name) != file_sha256(path):
                return None, f"{path.name} does not match its checksum"
            tables[name] = pd.read_parquet(path)
        except Exception as exc:  # noqa: BLE001 -- any unreadable file means: build again
            return None, f"{path.name}: {type(exc).__name__}: {exc}"
    return tables, ""


def _write_cache(ds: Dataset, folder: Path) -> None:
    """Write the tables (with their checksums) to a unique temporary folder, then rename it into place,
    so a concurrent run never reads a half-written cache."""
    from ccsp_analysis.hashing import file_sha256

    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=folder.parent))
    try:
        sums = {}
        for name, frame in ds.tables.items():
            frame.to_parquet(tmp / f"{name}.parquet", index=False)
            sums[name] = file_sha256(tmp / f"{name}.parquet")
        (tmp / "meta.json").write_text(json.dumps({"key": ds.key, "inputs": ds.inputs, "sha256": sums}, indent=2))
        try:
            os.replace(tmp, folder)
        except OSError:  # a previous (or damaged) copy is there: swap it out, then remove it
            old = Path(tempfile.mkdtemp(prefix=".old-", dir=folder.parent))
            os.replace(folder, old / "cache")
            os.replace(tmp, folder)
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _audit_row(source: str, path, read: int, kept: int, reason: str = "", dropped: int = 0) -> dict:
    return {"source": source, "file": str(path), "rows_read": read, "rows_kept": kept, "rows_dropped": dropped, "reason": reason}


def _with_area(frame: pd.DataFrame, geography: pd.DataFrame, source: str, path, audit: list[dict]) -> pd.DataFrame:
    """Keep rows whose small area is in the partnership; add ward columns; log what was dropped."""
    n = len(frame)
    merged = frame.merge(geography[["lsoa_code", "ward_code", "ward_name"]], on="lsoa_code", how="inner")
    audit.append(_audit_row(source, path, n, len(merged), "small area outside the partnership", n - len(merged)))
    return merged


def _months(frame: pd.DataFrame, date_col: str = "date") -> pd.DataFrame:
    frame["month"] = frame[date_col].dt.to_period("M").dt.to_timestamp()
    frame["fy"] = fy_label_of(frame["month"])
    return frame


def build(params: Params, *, key: str = "", inputs: dict[str, str] | None = None,
          street: Path | None = None) -> Dataset:
    """Read and validate every source of ``params`` and return the canonical tables (no caching).

    ``street``: a shared read of the force's street files (:func:`shared_street`) to take the area's
    rows from, instead of parsing the files again (the tables are the same either way).
    """
    from ccsp_analysis.sources import ons, partner, population

    src = params.sources
    audit: list[dict] = []
    codes_ = params.area.la_codes
    lookup = ons.read_lsoa_ward_lookup(src.lsoa_ward_lookup, lad_code=codes_)
    if lookup.empty:
        raise DataError(f"no small areas of {params.area.codes_text} in the lookup", path=src.lsoa_ward_lookup,
                        fix="check area.la_codes in the parameters or use a lookup that covers the area")
    geography = lookup[["lsoa_code", "lsoa_name", "ward_code", "ward_name"]].drop_duplicates("lsoa_code")
    pop = ons.read_census_ts001(src.population, lsoa_codes=list(geography["lsoa_code"]))
    pop_table = geography.merge(pop[["lsoa_code", "population"]], on="lsoa_code", how="left")
    missing = pop_table["population"].isna().sum()
    if missing:
        raise DataError(f"{missing} small areas of the lookup have no population", path=src.population,
                        fix="use a population file of the same LSOA vintage as the lookup")
    codes = list(geography["lsoa_code"])

    street, street_log = _street_rows(params, codes, street)
    for row in street_log.itertuples():
        audit.append(_audit_row("police_uk", row.source_file, 0, 0, row.reason, row.rows))
    street = _with_area(street, geography, "police_uk", src.police_uk, audit)
    street["fy"] = fy_label_of(street["month"])

    if src.partner_crimes is not None:
        crimes = partner.read_partner_crimes(src.partner_crimes)
        crimes = _with_area(crimes, geography, "partner_crimes", src.partner_crimes, audit)
        crimes = _months(crimes)
        crimes["police_category"] = crimes["ho_code"].map(lambda c: HO_OFFENCES[c].police_category)
        crimes["source"] = "partner"
    else:
        # street-level crimes: every row counted as published, as police.uk counts them (real files repeat some
        # Crime IDs); the data audit reports repeated IDs and identical rows month by month (docs/data.md)
        crimes = street[~street["is_asb"]].rename(columns={"crime_id": "crime_ref", "crime_type": "police_category"})
        crimes = crimes[["crime_ref", "month", "fy", "police_category", "lsoa_code", "ward_code", "ward_name"]].copy()
        for col in ("ho_code", "ho_group", "hate_strand", "victim_sex"):
            crimes[col] = pd.Series(pd.NA, index=crimes.index, dtype="string")
        for flag in CRIME_FLAGS:
            crimes[flag] = pd.NA
        crimes["victim_age"] = pd.array([pd.NA] * len(crimes), dtype="Int64")
        crimes["source"] = "police_uk"

    cols = ["month", "fy", "lsoa_code", "ward_code", "ward_name", "asb_type", "recorded_by", "source"]
    if src.police_asb is not None:
        # The force's typed ASB incidents replace the untyped police.uk ASB rows (same incidents).
        police_asb = _months(_with_area(partner.read_police_asb(src.police_asb), geography, "police_asb", src.police_asb, audit))
        police_asb["source"] = "police_asb"
    else:
        police_asb = street[street["is_asb"]].copy()
        police_asb["asb_type"] = pd.Series(pd.NA, index=police_asb.index, dtype="string")
        police_asb["source"] = "police_uk"
    police_asb["recorded_by"] = "police"
    frames = [police_asb[cols]]
    if src.council_asb is not None:
        council = _months(_with_area(partner.read_council_asb(src.council_asb), geography, "council_asb", src.council_asb, audit))
        council["recorded_by"] = "council"
        council["source"] = "council_asb"
        frames.append(council[cols])
    asb_all = pd.concat(frames, ignore_index=True)

    victims = crimes[crimes["victim_sex"].notna()][["crime_ref", "month", "fy", "ho_code", "ho_group", "ward_code", "victim_age", "victim_sex"]].copy()
    victims["age_band"] = (victims["victim_age"] // 5 * 5).astype("Int64")

    def optional(name: str, reader, path) -> pd.DataFrame:
        if path is None:
            return pd.DataFrame()
        frame = reader(path)
        audit.append(_audit_row(name, path, len(frame), len(frame)))
        return frame

    fly = optional("fly_tipping", partner.read_fly_tipping, src.fly_tipping)
    if not fly.empty:
        fly = _months(_with_area(fly, geography, "fly_tipping", src.fly_tipping, audit))
    services = optional("da_referrals", partner.read_da_referrals, src.da_referrals)
    if not services.empty:
        services = _months(services)
    incidents = optional("non_crime_incidents", partner.read_non_crime_incidents, src.non_crime_incidents)
    if not incidents.empty:
        incidents = _months(incidents)
    survey = optional("survey", partner.read_survey, src.survey)
    reoffending = optional("reoffending", partner.read_reoffending, src.reoffending)
    funding = optional("funding", partner.read_funding, src.funding)

    nrm = optional("nrm_referrals", partner.read_nrm_referrals, src.nrm_referrals)
    if not nrm.empty:
        nrm = _months(nrm)
    msg = optional("most_similar_group", partner.read_most_similar_group, src.most_similar_group)
    by_age = pd.DataFrame()
    if src.population_by_age is not None:
        by_age = ons.read_population_by_age(src.population_by_age, lsoa_codes=codes)
        by_age = by_age.merge(geography[["lsoa_code", "ward_code", "ward_name"]], on="lsoa_code", how="inner")
    mid_year = pd.DataFrame()
    if src.mid_year_estimates is not None:
        # every district's rows: the sections sum them by year, sex and age
        mid_year = population.read_mid_year_estimates(src.mid_year_estimates, lad_code=codes_)
    census_2011 = pd.DataFrame({"population": [sum(population.read_census_2011_total(src.census_2011, code)
                                                   for code in codes_)]}) \
        if src.census_2011 is not None else pd.DataFrame()
    imd = ons.read_imd(src.imd) if src.imd is not None else pd.DataFrame()
    boundaries = pd.DataFrame()
    if src.ward_boundaries is not None:
        boundaries = ons.read_boundaries(src.ward_boundaries)
        boundaries["geometry"] = boundaries["geometry"].map(lambda g: json.dumps(g, separators=(",", ":")))

    coverage = _coverage({"police_uk crimes": street[~street["is_asb"]], "police_uk ASB": street[street["is_asb"]], "partner crimes": crimes if src.partner_crimes else None})
    tables = {
        "geography": geography.reset_index(drop=True), "population": pop_table.reset_index(drop=True),
        "population_by_age": by_age, "mid_year": mid_year, "census_2011": census_2011, "imd": imd, "boundaries": boundaries,
        "nrm": nrm, "most_similar_group": msg,
        "crimes": crimes.reset_index(drop=True), "street": street.drop(columns=["source_file"], errors="ignore").reset_index(drop=True),
        "asb": asb_all, "victims": victims.reset_index(drop=True), "fly_tipping": fly, "services": services,
        "incidents": incidents, "survey": survey, "reoffending": reoffending, "funding": funding,
        "audit": pd.DataFrame(audit), "coverage": coverage,
        **_peer_group_tables(params),
    }
    log.info("dataset built: %s crimes, %s ASB rows", len(crimes), len(asb_all))
    return Dataset(tables, key, inputs or {})


def _peer_group_tables(params: Params) -> dict[str, pd.DataFrame]:
    """``district_features`` and ``district_crimes`` for the computed peer group: built only when no
    most similar group is supplied (``sources.most_similar_group`` null), else empty.

    The features come from the ONS files of the run read whole (every district they cover):
    ``population`` (Census 2021 usual residents), ``population_by_age``, ``imd`` and ``land_area``
    when supplied, placed in districts by ``district_lookup`` (default ``lsoa_ward_lookup``). The
    crimes are the police.uk street rows of the period's months in every file of ``police_uk``
    (every force, no area filter): force-wide files give the force's districts, national files all.
    """
    empty = {"district_features": pd.DataFrame(), "district_crimes": pd.DataFrame()}
    src = params.sources
    if src.most_similar_group is not None:
        return empty
    from ccsp_analysis.sources import districts, ons, police_uk

    lookup = districts.read_district_lookup(src.district_lookup or src.lsoa_ward_lookup)
    features = districts.district_features(
        lookup, ons.read_census_ts001(src.population),
        by_age=ons.read_population_by_age(src.population_by_age) if src.population_by_age is not None else None,
        imd=ons.read_imd(src.imd) if src.imd is not None else None,
        land=districts.read_land_area(src.land_area) if src.land_area is not None else None)
    months = [m.strftime("%Y-%m") for m in params.fy.months(params.quarter)]
    try:
        street = police_uk.read_street(src.police_uk, months=months)
    except DataError as exc:
        if "files for the requested months" not in str(exc):
            raise
        street = pd.DataFrame(columns=["lsoa_code", "lsoa_name", "is_asb"])  # no file for the period: no counts
    crimes = districts.district_crimes(street[~street["is_asb"].astype(bool)], lookup)
    return {"district_features": features, "district_crimes": crimes}


def _coverage(frames: dict[str, pd.DataFrame | None]) -> pd.DataFrame:
    """Rows per month per source: shows gaps and partial months."""
    parts = []
    for name, frame in frames.items():
        if frame is None or frame.empty:
            continue
        counts = frame.groupby("month").size().rename("rows").reset_index()
        counts["source"] = name
        parts.append(counts)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["month", "rows", "source"])
