"""The project's database backend: PostGIS, with the file hooks of geoapp/file_transactions.py."""
