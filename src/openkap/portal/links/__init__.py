"""Invitation links: single-use, expiring, stored only as a hash, and the pages a patient opens
from one."""
