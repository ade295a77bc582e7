"""KPIs, dashboards, targets and improvement initiatives. Not built yet."""
