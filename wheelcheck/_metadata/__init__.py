"""Distribution metadata read without running package code: METADATA, wheels, sdists.

No HTTP here: remote wheels are read through a ``ByteSource`` (``wheelcheck._index.ranges``
provides one).
"""

from wheelcheck._metadata.core import CoreMetadata, MetadataError, parse_core_metadata
from wheelcheck._metadata.sdist import SdistMetadata, sdist_dependencies
from wheelcheck._metadata.zipread import (
    TAIL_BYTES,
    ByteSource,
    MemoryByteSource,
    ZipEntry,
    find_metadata_entry,
    installed_size,
    read_zip_member,
    wheel_metadata,
    zip_entries,
)

__all__ = [
    "TAIL_BYTES",
    "ByteSource",
    "CoreMetadata",
    "MemoryByteSource",
    "MetadataError",
    "SdistMetadata",
    "ZipEntry",
    "find_metadata_entry",
    "installed_size",
    "parse_core_metadata",
    "read_zip_member",
    "sdist_dependencies",
    "wheel_metadata",
    "zip_entries",
]
