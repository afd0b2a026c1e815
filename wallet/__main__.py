"""``python -m wallet`` runs the ``imk`` command."""

from wallet.cli import main

raise SystemExit(main())
