"""Getting profiles in: file ingest, the sample generator and the command line."""
