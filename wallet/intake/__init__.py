"""Reading an institution's batch files (CSV, JSON Lines, EMREX ELMO XML, .zip of ELMO) into
rows to issue.

The readers only read: they turn bytes into :class:`~wallet.intake.rows.IntakeFile` and never
touch the database, the clock or the keys. ``wallet/batches.py`` issues what they read.
"""
