"""The cache: one store on disk, one ledger of what a check read, everything wheelcheck keeps.

`store` frames, writes and reads entries (atomic writes, format version, freshness) and
stamps each one a check uses in its `ledger`; `keys` names entries. On the store: index
pages (their rows encoded by wheelcheck._index.page_cache, which is why that encoding lives
with the index: this package imports nothing of it), release metadata (`metadata`), advice
answers (`advice`) and finished checks (`checks`), reused only while every entry their
ledger names is unchanged.
"""
