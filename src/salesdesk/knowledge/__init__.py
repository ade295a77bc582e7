"""Articles, the answer library, search and answer suggestion."""
