"""Products, services, prices, technical specifications and compatibility rules."""
