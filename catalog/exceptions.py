"""Errors of the catalogue app: every one derives from `CatalogError`."""


class CatalogError(Exception):
    """Root of every catalogue error; its message is meant for the user (Vietnamese)."""


class MarcError(CatalogError):
    """A MARC record or file could not be read, built or written."""


class MarcFormatError(MarcError):
    """The file is not MARC at all (neither ISO 2709 nor MARCXML)."""


class MarcWriteError(MarcError):
    """A record cannot be serialised (for example longer than ISO 2709 allows)."""


class MarcTemplateError(MarcError):
    """An unknown cataloguing template was asked for."""


class RecordInUseError(CatalogError):
    """A record or item cannot be deleted because a copy is on loan (or has loan history)."""


class DuplicateBarcodeError(CatalogError):
    """A barcode or accession number is already used by another item."""


class ImportRefusedError(CatalogError):
    """An uploaded file was refused before the import started (size, format, options)."""
