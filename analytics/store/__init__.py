"""The store: the one way to the database (DuckDB file or shared PostgreSQL), its migrations and its errors. Imports no domain."""
