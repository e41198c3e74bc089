"""Errors of people and patrons."""


class AccountsError(Exception):
    """Root of every accounts error; the message says what to fix."""


class ImportFileError(AccountsError):
    """The class list file cannot be read at all (wrong format, no header row)."""
