"""`python -m serving <rasa arguments>`: the `rasa` command (same arguments), after installing our fixes."""
from serving import action_validation, sqlite_tuning


def main() -> None:
    action_validation.install()
    sqlite_tuning.install()
    from rasa.__main__ import main as rasa_main
    rasa_main()


if __name__ == "__main__":
    main()
