"""What is kept: published versions and staff accounts (embedded SQLite + files).

- ``versions``: ``Store`` — content-addressed workbook files, versions, the current
  pointer (compare-and-swap publish) and the append-only audit log.
- ``accounts``: local staff accounts (scrypt) with a slow-down after failed sign-ins.
- ``sqlite_db``: the shared write transaction.
- ``files``: ``write_atomically`` — every file metrics writes (temporary file in the same
  folder, fsync, ``os.replace``, fsync of the folder).
"""
