"""``python -m planflow`` runs the command line."""

from planflow.cli.main import main

if __name__ == "__main__":
    main()
