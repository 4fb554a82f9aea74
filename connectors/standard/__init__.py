"""Standard-format feeds (3GPP PM XML; TMF621, TMF642 and VES to come): see `feeds.py`."""
