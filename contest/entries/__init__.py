"""Entries: uploads, processing, media checks, transcoding, storage and who may see what."""
