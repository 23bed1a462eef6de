"""The ``gongzhi`` command: Django's management commands under one name.

``gongzhi setup-demo`` is ``django-admin setup_demo`` with the settings already chosen;
dashes and underscores are interchangeable in command names.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    args[0] = "gongzhi"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
