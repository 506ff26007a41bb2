"""Readers for every external data format (police.uk, ONS, partner extracts) and the downloader.

Each reader validates at the boundary and raises :class:`~ccsp_analysis.errors.DataError` naming
the file, line, column and fix. See docs/data.md for the formats.
"""

from ccsp_analysis.sources.fetch import fetch_file, fetch_police_archive
from ccsp_analysis.sources.ons import (
    read_boundaries,
    read_census_ts001,
    read_imd,
    read_lsoa_ward_lookup,
    read_population_by_age,
)
from ccsp_analysis.sources.partner import (
    read_council_asb,
    read_da_referrals,
    read_fly_tipping,
    read_funding,
    read_most_similar_group,
    read_non_crime_incidents,
    read_nrm_referrals,
    read_partner,
    read_partner_crimes,
    read_police_asb,
    read_reoffending,
    read_survey,
)
from ccsp_analysis.sources.police_uk import (
    find_archive_members,
    find_outcomes_files,
    find_street_files,
    read_outcomes,
    read_street,
    read_street_with_log,
    split_asb,
)
from ccsp_analysis.sources.tabular import read_table

__all__ = [
    "fetch_file",
    "fetch_police_archive",
    "find_archive_members",
    "find_outcomes_files",
    "find_street_files",
    "read_boundaries",
    "read_census_ts001",
    "read_council_asb",
    "read_da_referrals",
    "read_fly_tipping",
    "read_funding",
    "read_imd",
    "read_lsoa_ward_lookup",
    "read_most_similar_group",
    "read_non_crime_incidents",
    "read_nrm_referrals",
    "read_outcomes",
    "read_partner",
    "read_partner_crimes",
    "read_police_asb",
    "read_population_by_age",
    "read_reoffending",
    "read_street",
    "read_street_with_log",
    "read_survey",
    "read_table",
    "split_asb",
]
