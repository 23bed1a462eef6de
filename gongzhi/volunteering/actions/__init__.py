"""Every change in volunteering goes through one of these functions (atomic, keyword-only
``acting_user``, one audit event, notifications on commit). Import from the modules:
``volunteers``, ``menu``, ``orders``, ``activities``, ``rosters``, ``ledger``, ``bank``."""
