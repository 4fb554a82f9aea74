"""(placeholder until its issue lands)"""

SENSORS: list = []
