"""``python -m bassin_geo``: the same command as ``bassin-geo``."""

from bassin_geo.cli import main

if __name__ == "__main__":
    main()
