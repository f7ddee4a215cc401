"""The durable history of sessions and ratings (SQLite), trends, export and import."""
