"""What is kept: published versions and staff accounts (embedded SQLite + files by
default; PostgreSQL when ``ZHENGGAI_DATABASE_URL`` is set).

- ``versions``: ``Store`` — content-addressed workbook files, versions, the current
  pointer (compare-and-swap publish) and the append-only audit log; ``open_store``,
  ``open_store_from_env`` choose the backend.
- ``accounts``: local staff accounts (scrypt) with a slow-down after failed sign-ins
  (``open_accounts``, ``open_accounts_from_env``).
- ``backend``: what a backend provides (``Database``, ``Files``); ``sqlite_backend``
  (a folder) and ``postgres_backend`` (psycopg 3, a small pool) implement it.
- ``migrate``: an embedded store copied into an empty PostgreSQL database.
- ``sqlite_db``: the shared SQLite write transaction.
- ``files``: ``write_atomically`` — every file metrics writes (temporary file in the same
  folder, fsync, ``os.replace``, fsync of the folder).
"""
