"""(placeholder until its issue lands)"""

SCHEDULES: list = []
