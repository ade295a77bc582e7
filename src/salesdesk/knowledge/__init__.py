"""Articles, the answer library, search and answer suggestion (issue 3). Not built yet."""
