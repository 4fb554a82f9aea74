"""(placeholder until its issue lands)"""


def build_resources() -> dict:
    return {}
