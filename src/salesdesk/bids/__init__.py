"""RFPs, proposals, documents, policies and approvals. Not built yet."""
