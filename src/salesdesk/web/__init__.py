"""The pages: base layout, navigation, home pages, shared template parts and static files."""
