"""``python -m glassgrad ...`` runs the ``glassgrad`` command."""

from glassgrad.cli import main

if __name__ == "__main__":
    main()
