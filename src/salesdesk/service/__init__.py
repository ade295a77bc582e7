"""Cases, interactions, SLA policies and escalation (issue 4). Not built yet."""
