"""City open data: import the 公共施設一覧 CSV + units.toml, and publish the CSV back.

    >>> city = load_city(sample_city_dir())
    >>> city.code
    '122999'
"""

from ._city import CityData, load_city, sample_city_dir
from ._export import facilities_csv_bytes, write_facilities_csv
from ._facilities_csv import (
    COLUMNS,
    decode,
    parse_open_days,
    parse_special_notes,
    parse_time,
    read_facilities,
)
from ._report import ImportIssue, ImportReport, Severity
from ._translations import missing_texts

__all__ = [
    "CityData", "load_city", "sample_city_dir", "facilities_csv_bytes", "write_facilities_csv",
    "COLUMNS", "decode", "parse_open_days", "parse_special_notes", "parse_time",
    "read_facilities", "ImportIssue", "ImportReport", "Severity", "missing_texts",
]
