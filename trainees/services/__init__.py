"""Every write of the trainees app: people (register, reveal), records (the archive ledger),
certificates, and the bulk history migration."""
