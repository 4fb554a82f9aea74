"""(placeholder until its issue lands)"""

CHECKS: list = []
