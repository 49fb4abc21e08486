"""Dataset domain: models, lifecycle, uploads, storage, validation, datastore, personal data."""
