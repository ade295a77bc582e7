"""Products, services, prices, technical specifications and compatibility rules (issue 3). Not built yet."""
