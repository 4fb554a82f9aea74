"""(placeholder until its issue lands)"""

ASSETS: list = []
